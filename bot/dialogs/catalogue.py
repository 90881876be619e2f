"""Every dialog class, and the commands and card actions they answer (read from their marks), so the
content checks and the Teams menu know exactly which commands the code handles."""

from __future__ import annotations

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
from .sharing import SharingDialogs
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
    SmallTalkDialogs,
)
COMMAND_IDS: frozenset[str] = declared("command", *DIALOGS)
ACTION_NAMES: frozenset[str] = declared("action", *DIALOGS)
