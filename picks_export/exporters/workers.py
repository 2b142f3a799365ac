"""Build workers: a long run over several models builds them in forked processes, each its share of the models.

Each worker reads the shown picks of every `workers`-th model (one query each) and stages their files into a
spool of its own; the parent keeps them in the models' order. The same documents as one process builds, so the
same bytes; a worker's first bad row (or any error) comes back as the error of the earliest model that failed,
as a one-process run would raise it.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from itertools import groupby
from typing import Any

from .engines.engine import Engine, EngineMemoryError
from .errors import ExportError
from .options import ExportOptions
from .publish import ObjectInfo, Spool
from .scopes import Scope
from .staging import Progress, Staged, Stager
from .warehouse import Model, RunPlan, Snapshot, read_shown_picks

# A model's dates to read when they are not the plan's (a shard's share of its seasons), by model code.
Spans = Mapping[str, tuple[dt.date, dt.date]]

# Runs over several models and at least this many days build in workers (a daily run stays in one process:
# forking would cost more).
PARALLEL_MIN_DAYS = 28
# Seconds between two looks at the build workers' progress while the run waits for them.
PROGRESS_EVERY = 0.2
# A build worker's share is read with the engine's worker memory times each of these in turn, while it runs out.
WORKER_MEMORY_FACTORS = (1, 2, 4)
# prctl's option asking for a signal when the parent dies.
PR_SET_PDEATHSIG = 1


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


def read_models(
    engine: Engine, plan: RunPlan, models: list[Model], spans: Spans | None
) -> Iterator[Iterator[Snapshot]]:
    """`read_shown_picks` of `models`, each over its span when `spans` names one: one query per run of
    consecutive models sharing a span."""
    if not spans:
        yield from read_shown_picks(engine, plan, models)
        return
    for (first, last), same in groupby(models, key=lambda model: spans[model.code]):
        yield from read_shown_picks(engine, replace(plan, first_date=first, last_date=last), list(same))


def _end_worker(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # unwinding: a second signal must not cut the clean-up short
    raise SystemExit(128 + signum)


def _end_with_parent() -> None:
    """Have this worker sent SIGTERM when its parent dies (kill -9, the out-of-memory killer) rather than build on
    for nobody; Linux only. A parent gone already (before this) ends it now."""
    import multiprocessing

    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        raise SystemExit(128 + signal.SIGTERM)


def _shared_progress(counters: Any, slot: int) -> Progress:
    """A build worker's progress, written where the parent reads it (two numbers of a shared array)."""

    def report(built: int, total: int | None) -> None:
        counters[2 * slot], counters[2 * slot + 1] = built, total or 0

    return report


class WorkerPool:
    """Stages a run's models in forked build workers."""

    def __init__(self, engine: Engine, options: ExportOptions, scope: Scope, spans: Spans | None = None) -> None:
        self.engine = engine
        self.options = options
        self.scope = scope
        self.spans = spans  # each model's dates to read, when not the plan's

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
        answered = self._run(plan, parts, part_spools, listed, progress)
        answers = [answer for answer, _, _ in answered]
        queries = sum(ran for _, ran, _ in answered)  # every attempt's; a share built again here counts in the engine
        for number, (answer, _, factor) in enumerate(answered):
            out_of_memory = answer[0] != "ok" and isinstance(answer[1], EngineMemoryError)
            if factor > 1 or out_of_memory:
                _warn_memory(number, len(parts), factor, out_of_memory)
            if out_of_memory:
                answers[number] = self._build_here(plan, parts[number], part_spools[number], listed)
        failures = [answer for answer in answers if answer[0] != "ok"]
        if failures:
            _, error, _ = min(failures, key=lambda answer: plan.models.index(answer[2]))
            raise error
        by_code: dict[str, Staged] = {}
        built = 0
        for (_, light, _), part_spool in zip(answers, part_spools, strict=True):
            for each in light:
                each.payloads = [replace(payload, spool=part_spool) for payload in each.payloads]
                by_code[each.model] = each
                built += len(each.payloads)
        if progress:
            progress(built, built)
        return [by_code[model.code] for model in plan.models], queries

    def _build_here(
        self, plan: RunPlan, models: list[Model], spool: Spool, listed: Mapping[str, dict[str, ObjectInfo]]
    ) -> tuple[str, Any, Any]:
        """A worker's share built again in this process, as a run in one process builds it (the engine with its
        default memory), after the worker ran out of its own: the same answer a worker gives; the worker's spool
        is written over."""
        try:
            return self._stage_part(plan, models, spool, listed, None, in_worker=False)
        finally:
            self.engine.release()

    def _stage_part(
        self,
        plan: RunPlan,
        models: list[Model],
        spool: Spool,
        listed: Mapping[str, dict[str, ObjectInfo]],
        progress: Progress | None,
        *,
        in_worker: bool,
    ) -> tuple[str, Any, Any]:
        """`models`' files into `spool`: ("ok", staged files (without their spool `in_worker`, to be sent), None)
        or ("error", the error, the model it stopped at); in a worker, any error is one. Its queries are counted
        by the engine (a worker's by `_stage_in_worker`, over all its attempts)."""
        staged: list[Staged] = []
        stager = Stager(self.options, self.scope, spool, lambda model: listed[model.code], progress,
                        part_models=len(models))  # fmt: skip
        try:
            for each in stager.stage(read_models(self.engine, plan, models, self.spans)):
                if in_worker:
                    each.payloads = [replace(payload, spool=None) for payload in each.payloads]
                staged.append(each)
            return ("ok", staged, None)
        except ExportError as error:
            failed: Exception = error
        except Exception as error:
            if not in_worker:
                raise
            # the parent reports it as an internal error
            failed = RuntimeError(f"build worker: {type(error).__name__}: {error}")
        return ("error", failed, models[min(len(staged), len(models) - 1)])

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
        # Every worker reads Arrow and writes Parquet: imported once here, its modules are shared with the workers
        # (about 16 MB less summed PSS at 35x than each worker importing its own).
        import pyarrow.parquet  # noqa: F401

        self.engine.release()  # each worker opens the warehouse anew
        gc.collect()
        gc.freeze()  # what the parent holds is shared with the workers, untouched by their collections
        processes: list[tuple[Any, Any]] = []
        # Each worker's files built so far and expected in all (its models reached so far, the rest like them),
        # for the progress the parent shows while it waits.
        counters = context.Array("q", 2 * len(parts), lock=False)
        try:
            for slot, (part, spool) in enumerate(zip(parts, spools, strict=True)):
                receiver, sender = context.Pipe(duplex=False)
                readers = [*(each for _, each in processes), receiver]  # the parent's ends the worker inherits
                process = context.Process(
                    target=self._build_part, args=((sender, readers), plan, part, spool, listed, (counters, slot))
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
        pipe: tuple[Any, list[Any]],
        plan: RunPlan,
        models: list[Model],
        spool: Spool,
        listed: Mapping[str, dict[str, ObjectInfo]],
        counter: tuple[Any, int],
    ) -> None:
        """A build worker (a forked process): its models' files into its spool; sends its answer, ("ok", staged
        files without their spool, None) or ("error", the error, the model it stopped at), the queries it ran
        and its last attempt's memory factor through `pipe` (its end, and the parent's ends it inherited)."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent answers Ctrl-C and ends its workers
        signal.signal(signal.SIGTERM, _end_worker)  # ...with SIGTERM: unwind, so the scratch folder goes too
        sender, readers = pipe
        for each in readers:  # held here, a pipe's reading end would keep a send to a dead parent waiting forever
            each.close()
        _end_with_parent()
        # The engine's share of the cores and memory; what does not fit spills to a private scratch folder, removed
        # with the worker.
        scratch = tempfile.mkdtemp(prefix="picks-export-worker-")
        try:
            answer = self._stage_in_worker(plan, models, spool, listed, _shared_progress(*counter), scratch)
        finally:
            self.engine.close()
            shutil.rmtree(scratch, ignore_errors=True)
        try:
            sender.send(answer)
        except BrokenPipeError:
            return  # the parent is gone (killed): no one to answer, nothing to print
        sender.close()

    def _stage_in_worker(
        self,
        plan: RunPlan,
        models: list[Model],
        spool: Spool,
        listed: Mapping[str, dict[str, ObjectInfo]],
        progress: Progress,
        scratch: str,
    ) -> tuple[tuple[str, Any, Any], int, int]:
        """`_stage_part` in a worker, the queries it ran and the memory factor of its last attempt. A share whose
        query runs out of the engine's memory is read again with twice, then four times that memory (a long
        history's query can need more than the workers' default while still far from what one process is given),
        so that it is still built in parallel; the run's own process builds it only when the last attempt runs out
        too."""
        before = self.engine.queries_run
        for factor in WORKER_MEMORY_FACTORS:
            self.engine.for_worker(scratch, factor)
            answer = self._stage_part(plan, models, spool, listed, progress, in_worker=True)
            if answer[0] == "ok" or not isinstance(answer[1], EngineMemoryError):
                break
        return answer, self.engine.queries_run - before, factor


def _warn_memory(number: int, workers: int, factor: int, out_of_memory: bool) -> None:
    """Tell the operator that a worker's share took more than one attempt (a setting can save them), or went back
    to the run's own process. `logging` is imported here only: a run that needs no warning does without it."""
    import logging

    worker = f"build worker {number + 1} of {workers}"
    if out_of_memory:
        message = (
            f"{worker} ran out of memory with {factor} times its DuckDB memory: its share is built in the run's"
            " own process (one core; a higher PICKS_EXPORT_WORKER_MEMORY keeps it in parallel)"
        )
    else:
        message = (
            f"{worker} ran out of its DuckDB memory and read its share again with {factor} times as much"
            " (a higher PICKS_EXPORT_WORKER_MEMORY saves the extra query)"
        )
    logging.getLogger(__name__).warning(message)


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
