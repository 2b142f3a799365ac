"""picks-export: builds the static JSON files of the picks website from the warehouse."""

__version__ = "0.1.0"
