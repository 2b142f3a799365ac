"""The picks-export library: engines, the contract's rules, document builders, sinks and validation.

Importing it needs no Google client library; only the parts that talk to Google import one.
"""

from .errors import BadInputError, ExportError, InvalidDocumentError, OutputError, WarehouseError
from .export import DEFAULT_PREFIX, ExportOptions, Exporter, Outcome

__all__ = [
    "DEFAULT_PREFIX",
    "BadInputError",
    "ExportError",
    "ExportOptions",
    "Exporter",
    "InvalidDocumentError",
    "Outcome",
    "OutputError",
    "WarehouseError",
]
