"""LMS profiles: a named set of choices (SCO mode, runtime quirks) for one learning platform."""
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


PROFILES: dict[str, LmsProfile] = {p.name: p for p in (
    LmsProfile("generic", "any conformant LMS", "2004"),
    LmsProfile("moodle", "Moodle", "1.2"),
    LmsProfile("canvas", "Canvas", "2004"),
    LmsProfile("blackboard", "Blackboard Learn", "1.2", commit_seconds=60, close_popup_on_finish=True),
    LmsProfile("talentlms", "TalentLMS", "1.2", commit_seconds=60, suspend_limit_2004=4096),
    LmsProfile("docebo", "Docebo", "2004"),
    LmsProfile("cornerstone", "Cornerstone OnDemand", "1.2", multi_sco=False, commit_seconds=60,
               close_popup_on_finish=True, suspend_limit_2004=4096),
    LmsProfile("openedx", "Open edX (SCORM XBlock)", "2004", multi_sco=False),
)}

SUSPEND_LIMIT_12 = 4096
LOCATION_LIMIT = {"1.2": 255, "2004": 1000}


def resolve_profile(options: ScormOptions, version: str, reporter: Reporter) -> tuple[LmsProfile, str]:
    """The profile named in course.yml / `--lms` and the SCO mode it allows; unknown names warn and fall back."""
    profile = PROFILES.get(options.lms)
    if profile is None:
        reporter.warning(Code.CONFIG_INVALID, f"unknown LMS profile '{options.lms}'; choose one of "
                         f"{', '.join(PROFILES)}. Using 'generic'", SourcePos("course.yml", 1))
        profile = PROFILES["generic"]
    mode = options.mode
    if mode == "multi" and not profile.multi_sco:
        reporter.warning(Code.CONFIG_INVALID, f"{profile.label} launches only one SCO per package; building "
                         "SCORM with one SCO for the whole course (mode: single) instead of one per lesson",
                         SourcePos("course.yml", 1))
        mode = "single"
    return profile, mode


def suspend_limit(profile: LmsProfile, version: str) -> int:
    return SUSPEND_LIMIT_12 if version == "1.2" else profile.suspend_limit_2004
