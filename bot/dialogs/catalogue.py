"""Every dialog class, listed once: the router is built from them, in this order, and the content
checks and the Teams menu read from their marks exactly which commands the code handles.

A dialog's constructor names the parts it takes (`content`, `clock`, `checkins`...); each is a field
of `Features`, so adding a dialog is its module, one line here, its words in content and a test."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..content.source import ContentSource
from ..usecases.admin_stats import AdminStats
from ..usecases.checkins import Checkins
from ..usecases.consent import Consents
from ..usecases.data_rights import DataRights
from ..usecases.directory import DirectoryStatus, Invitations
from ..usecases.links import Links
from ..usecases.private_writing import PrivateWriting
from ..usecases.requests import Requests
from ..usecases.rollout import Rollouts
from ..usecases.schedules import Schedules
from .admin import AdminDialogs
from .checkin import CheckinDialogs
from .directory import DirectoryDialogs
from .guide import GuideDialogs
from .help import HelpDialogs
from .my_data import MyDataDialogs
from .pause import PauseDialogs
from .plan import PlanDialogs
from .reflect import ReflectDialogs
from .registry import declared
from .settings import SettingsDialogs
from .sharing import AfterCheckin, SharingDialogs
from .small_talk import SmallTalkDialogs
from .supervision import SupervisionDialogs

DIALOGS = (
    HelpDialogs,
    CheckinDialogs,
    SharingDialogs,
    SettingsDialogs,
    PauseDialogs,
    GuideDialogs,
    SupervisionDialogs,
    ReflectDialogs,
    PlanDialogs,
    AdminDialogs,
    DirectoryDialogs,
    MyDataDialogs,
    SmallTalkDialogs,  # last: typed check-in answers are read before small talk
)
COMMAND_IDS: frozenset[str] = declared("command", *DIALOGS)
ACTION_NAMES: frozenset[str] = declared("action", *DIALOGS)


@dataclass(frozen=True)
class Features:
    """What dialogs are built from, by the names their constructors use."""

    content: ContentSource
    clock: Clock
    base_url: str
    schedules: Schedules
    checkins: Checkins
    links: Links
    consents: Consents
    requests: Requests
    rights: DataRights
    writing: PrivateWriting
    stats: AdminStats
    rollouts: Rollouts  # `admin install GROUP-ID` (does nothing while Microsoft Graph is off)
    directory: DirectoryStatus | None  # Microsoft Graph, when it is on (GRAPH_ENABLED=1)
    invitations: Invitations | None  # naming anyone by work email, when Microsoft Graph is on

    @property
    def after_checkin(self) -> AfterCheckin:
        return AfterCheckin(self.links, self.requests, self.content)


def dialogs(features: Features) -> list[object]:
    """One of each dialog in DIALOGS, each given the parts its constructor names."""
    return [_built(cls, features) for cls in DIALOGS]


def _built(cls: type, features: Features) -> Any:
    names = inspect.signature(cls).parameters
    missing = [n for n in names if not hasattr(features, n)]
    if missing:
        raise TypeError(f"{cls.__name__} takes {missing}, which are not among the Features dialogs are built from.")
    return cls(**{name: getattr(features, name) for name in names})
