"""LMS profiles: a named set of choices (formats, SCO mode, runtime quirks) for one learning platform."""
from __future__ import annotations

from dataclasses import dataclass

from exporter.config import ScormOptions
from exporter.diagnostics import Code, Reporter
from exporter.model import SourcePos


@dataclass(frozen=True, slots=True)
class LmsProfile:
    name: str
    label: str
    recommended_version: str
    """'1.2' or '2004': the edition that platform plays most completely (docs/scorm.md says why)."""
    multi_sco: bool = True
    """False: the platform launches only one SCO of a package, so `mode: multi` falls back to single."""
    commit_seconds: int = 0
    """Above 0: also commit every N seconds, for platforms whose sessions time out in a popup window."""
    close_popup_on_finish: bool = False
    """After Finish, close the window when the SCO was opened as a popup (API found through `opener`)."""
    suspend_limit_2004: int = 64000
    """Longest cmi.suspend_data the platform stores for SCORM 2004 (SCORM 1.2 is always 4,096)."""
    formats: tuple[str, ...] = ("scorm2004", "scorm12", "cmi5", "xapi")
    """The package formats the platform imports, the one it plays most completely first (docs/cmi5.md says
    why). A build of a format not listed warns."""

    @property
    def best_format(self) -> str:
        return self.formats[0]


PROFILES: dict[str, LmsProfile] = {p.name: p for p in (
    LmsProfile("generic", "any conformant LMS", "2004"),
    # cmi5 and Tin Can through third-party plugins (mod_cmi5launch, mod_tincanlaunch), not in core Moodle.
    LmsProfile("moodle", "Moodle", "1.2", formats=("scorm12", "scorm2004", "cmi5", "xapi")),
    LmsProfile("canvas", "Canvas", "2004", formats=("scorm2004", "scorm12")),
    LmsProfile("blackboard", "Blackboard Learn", "1.2", commit_seconds=60, close_popup_on_finish=True,
               formats=("scorm12", "scorm2004")),
    LmsProfile("talentlms", "TalentLMS", "1.2", commit_seconds=60, suspend_limit_2004=4096,
               formats=("scorm12", "cmi5", "xapi", "scorm2004")),
    LmsProfile("docebo", "Docebo", "2004", formats=("cmi5", "scorm2004", "xapi", "scorm12")),
    LmsProfile("cornerstone", "Cornerstone OnDemand", "1.2", multi_sco=False, commit_seconds=60,
               close_popup_on_finish=True, suspend_limit_2004=4096,
               formats=("scorm12", "scorm2004", "cmi5", "xapi")),
    # cmi5 through the openedx-cmi5-xblock plugin; no Tin Can package import.
    LmsProfile("openedx", "Open edX (SCORM XBlock)", "2004", multi_sco=False, formats=("scorm2004", "scorm12", "cmi5")),
    LmsProfile("scormcloud", "SCORM Cloud", "2004", formats=("cmi5", "scorm2004", "xapi", "scorm12")),
)}

SUSPEND_LIMIT_12 = 4096
LOCATION_LIMIT = {"1.2": 255, "2004": 1000}


def resolve_profile(options: ScormOptions, version: str, reporter: Reporter,
                    where: SourcePos | None) -> tuple[LmsProfile, str]:
    """The profile named in course.yml / `--lms` and the SCO mode it allows; unknown names warn and fall back.
    `where` is course.yml's position when there is one (`config_pos`)."""
    profile = PROFILES.get(options.lms)
    if profile is None:
        reporter.warning(Code.CONFIG_INVALID, f"unknown LMS profile '{options.lms}'; choose one of "
                         f"{', '.join(PROFILES)}. Using 'generic'", where)
        profile = PROFILES["generic"]
    mode = options.mode
    if mode == "multi" and not profile.multi_sco:
        reporter.warning(Code.CONFIG_INVALID, f"{profile.label} launches only one SCO per package; building "
                         "SCORM with one SCO for the whole course (mode: single) instead of one per lesson",
                         where)
        mode = "single"
    return profile, mode


def check_format(profile: LmsProfile, fmt: str, reporter: Reporter, where: SourcePos | None) -> None:
    """Warn when the chosen platform does not import packages of `fmt`, naming the format it plays best."""
    if fmt not in profile.formats:
        reporter.warning(Code.CONFIG_INVALID, f"{profile.label} does not import {FORMAT_LABELS[fmt]} packages; "
                         f"upload its {FORMAT_LABELS[profile.best_format]} package instead "
                         f"(--format {profile.best_format})", where)


FORMAT_LABELS = {"scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004", "cmi5": "cmi5", "xapi": "xAPI (Tin Can)"}


def suspend_limit(profile: LmsProfile, version: str) -> int:
    return SUSPEND_LIMIT_12 if version == "1.2" else profile.suspend_limit_2004
