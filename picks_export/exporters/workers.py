"""Build workers: a long run over several models builds them in forked processes, each its share of the models.

Each worker reads the shown picks of every `workers`-th model (one query each) and stages their files into a
spool of its own; the parent keeps them in the models' order. The same documents as one process builds, so the
same bytes; a worker's first bad row (or any error) comes back as the error of the earliest model that failed,
as a one-process run would raise it.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .engines.engine import Engine
from .errors import ExportError
from .options import ExportOptions
from .publish import ObjectInfo, Spool
from .scopes import Scope
from .staging import Progress, Staged, Stager
from .warehouse import Model, RunPlan, read_shown_picks

# Runs over several models and at least this many days build in workers (a daily run stays in one process:
# forking would cost more).
PARALLEL_MIN_DAYS = 28
# Seconds between two looks at the build workers' progress while the run waits for them.
PROGRESS_EVERY = 0.2


def available_cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers_for(engine: Engine, plan: RunPlan, scope: Scope, requested: int | None) -> int:
    """Processes building the run's models (`requested`: at most that many; None: the cores this process may
    use): one for a short range (a daily run), one model or an engine that cannot be reopened in a worker
    (`Capabilities.forked_workers`)."""
    short = (scope.last - scope.first).days < PARALLEL_MIN_DAYS
    if len(plan.models) < 2 or short or not engine.capabilities.forked_workers:
        return 1
    return min(requested or available_cores(), len(plan.models))


def _end_worker(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _shared_progress(counters: Any, slot: int) -> Progress:
    """A build worker's progress, written where the parent reads it (two numbers of a shared array)."""

    def report(built: int, total: int | None) -> None:
        counters[2 * slot], counters[2 * slot + 1] = built, total or 0

    return report


class WorkerPool:
    """Stages a run's models in forked build workers."""

    def __init__(self, engine: Engine, options: ExportOptions, scope: Scope) -> None:
        self.engine = engine
        self.options = options
        self.scope = scope

    def stage(
        self,
        plan: RunPlan,
        listed: Mapping[str, dict[str, ObjectInfo]],
        workers: int,
        progress: Progress | None,
        spools: list[Spool],
    ) -> tuple[list[Staged], int]:
        """Every model's staged files, in the plan's order, and the queries the workers ran (`listed`: each
        model's folders' listing, by code, taken before the fork; `spools` gets the workers' spools)."""
        parts = [plan.models[number::workers] for number in range(workers)]
        part_spools = [Spool() for _ in parts]
        spools += part_spools
        answers = self._run(plan, parts, part_spools, listed, progress)
        failures = [answer for answer in answers if answer[0] != "ok"]
        if failures:
            _, error, _ = min(failures, key=lambda answer: plan.models.index(answer[2]))
            raise error
        by_code: dict[str, Staged] = {}
        queries = built = 0
        for (_, light, part_queries), part_spool in zip(answers, part_spools, strict=True):
            queries += part_queries
            for each in light:
                each.payloads = [replace(payload, spool=part_spool) for payload in each.payloads]
                by_code[each.model] = each
                built += len(each.payloads)
        if progress:
            progress(built, built)
        return [by_code[model.code] for model in plan.models], queries

    def _run(
        self,
        plan: RunPlan,
        parts: list[list[Model]],
        spools: list[Spool],
        listed: Mapping[str, dict[str, ObjectInfo]],
        progress: Progress | None,
    ) -> list[Any]:
        """Fork a worker per part and wait for each one's answer."""
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.engine.release()  # each worker opens the warehouse anew
        gc.collect()
        gc.freeze()  # what the parent holds is shared with the workers, untouched by their collections
        processes = []
        # Each worker's files built so far and expected in all (its models reached so far, the rest like them),
        # for the progress the parent shows while it waits.
        counters = context.Array("q", 2 * len(parts), lock=False)
        try:
            for slot, (part, spool) in enumerate(zip(parts, spools, strict=True)):
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=self._build_part, args=(sender, plan, part, spool, listed, (counters, slot))
                )
                process.start()
                sender.close()
                processes.append((process, receiver))
            answers = _answers([receiver for _, receiver in processes], counters, progress)
            for process, _ in processes:
                process.join()
        except EOFError:
            raise RuntimeError("a build worker ended without an answer") from None
        finally:
            gc.unfreeze()
            for process, receiver in processes:
                receiver.close()
                if process.is_alive():
                    process.terminate()
                    process.join()
        return answers

    def _build_part(
        self,
        sender: Any,
        plan: RunPlan,
        models: list[Model],
        spool: Spool,
        listed: Mapping[str, dict[str, ObjectInfo]],
        counter: tuple[Any, int],
    ) -> None:
        """A build worker (a forked process): its models' files into its spool; sends ("ok", staged files without
        their spool, queries) or ("error", the error, the model it stopped at)."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent answers Ctrl-C and ends its workers
        signal.signal(signal.SIGTERM, _end_worker)  # ...with SIGTERM: unwind, so the scratch folder goes too
        # The engine's share of the cores and memory; what does not fit spills to a private scratch folder, removed
        # with the worker.
        scratch = tempfile.mkdtemp(prefix="picks-export-worker-")
        self.engine.for_worker(scratch)
        before = self.engine.queries_run
        staged: list[Staged] = []
        stager = Stager(self.options, self.scope, spool, lambda model: listed[model.code],
                        _shared_progress(*counter), part_models=len(models))  # fmt: skip
        try:
            for each in stager.stage(read_shown_picks(self.engine, plan, models)):
                each.payloads = [replace(payload, spool=None) for payload in each.payloads]
                staged.append(each)
            answer: tuple[str, Any, Any] = ("ok", staged, self.engine.queries_run - before)
        except ExportError as error:
            answer = ("error", error, models[min(len(staged), len(models) - 1)])
        except Exception as error:  # reported by the parent as an internal error
            failed = RuntimeError(f"build worker: {type(error).__name__}: {error}")
            answer = ("error", failed, models[min(len(staged), len(models) - 1)])
        finally:
            self.engine.close()
            shutil.rmtree(scratch, ignore_errors=True)
        sender.send(answer)
        sender.close()


def _answers(receivers: list[Any], counters: Any, progress: Progress | None) -> list[Any]:
    """Each worker's answer, in the workers' order; meanwhile the files built so far by all of them, against
    their expected total (the workers not reached a model yet counted like those that have)."""
    from multiprocessing.connection import wait

    answers: dict[int, Any] = {}
    while len(answers) < len(receivers):
        for receiver in wait([each for number, each in enumerate(receivers) if number not in answers], PROGRESS_EVERY):
            number = receivers.index(receiver)
            answers[number] = receivers[number].recv()
        totals = [total for total in counters[1::2] if total]
        if progress and totals:  # none before a worker knows its total: a report without one shows no total
            progress(sum(counters[0::2]), round(sum(totals) * len(receivers) / len(totals)))
    return [answers[number] for number in range(len(receivers))]
