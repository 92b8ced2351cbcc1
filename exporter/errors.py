"""Expected failures: they print as `error: message` and exit 1, never with a traceback."""


class ExporterError(Exception):
    """A problem the user can fix (bad config, broken content, a failed export)."""


class ConfigError(ExporterError):
    """course.yml or a command-line option is unusable."""


class UsageError(ConfigError):
    """A command-line value is not one the tool knows (exit code 2, as for any usage error)."""


class ContentError(ExporterError):
    """Lessons have errors; the diagnostics were already reported."""


class ExportError(ExporterError):
    """An output format could not be written."""


class BuildFailed(ExporterError):
    """The build stopped before writing because of errors (or warnings under --strict)."""

    def __init__(self, errors: int, warnings: int = 0, strict: bool = False) -> None:
        self.errors, self.warnings, self.strict = errors, warnings, strict
        if strict and warnings and not errors:
            what = f"{warnings} warning(s) and --strict is on"
        else:
            what = f"{errors} error(s)"
        super().__init__(f"build stopped: {what}; nothing was written")
