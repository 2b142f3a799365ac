"""The picks-export library: engines, the contract's rules, document builders, stores and validation.

Entry point: `picks_export.exporters.exporter.Exporter`. Importing this package loads nothing heavy and no
Google client library; only the parts that talk to Google import one.
"""

from .errors import BadInputError, ExportError, InvalidDocumentError, OutputError, WarehouseError

__all__ = ["BadInputError", "ExportError", "InvalidDocumentError", "OutputError", "WarehouseError"]
