"""exporter: HackMD lessons to PDF workbook, EPUB 3 and SCORM."""
__version__ = "0.1.0"
