"""Library errors name options by their concept; the command line shows each as its flag."""

from __future__ import annotations

from picks_export.cli.errors import error_message
from picks_export.exporters.errors import BadInputError, ExportError, OptionError, literal


def test_an_option_error_reads_in_concepts_and_the_command_line_shows_flags():
    error = OptionError("{end} 2026-01-01 is before {start} 2026-02-01 ({lock_timeout})")
    assert str(error) == "end 2026-01-01 is before start 2026-02-01 (lock timeout)"
    assert error_message(error) == "--end 2026-01-01 is before --start 2026-02-01 (--lock-timeout)"
    assert error.exit_code == 1


def test_any_error_class_may_name_options_and_keeps_its_exit_code_and_values_with_braces():
    code = literal(repr("odd{code}"))
    error = BadInputError.naming(f"table models: no champion; name one with {{model}} (not {code})")
    assert error.exit_code == 3
    assert str(error) == "table models: no champion; name one with model (not 'odd{code}')"
    assert error_message(error) == "table models: no champion; name one with --model (not 'odd{code}')"


def test_a_plain_message_is_shown_as_it_is_braces_and_all():
    assert error_message(ExportError("row {'a': 1} is bad")) == "row {'a': 1} is bad"
