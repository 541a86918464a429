# torch._export.db.case: just enough for ExportDB example sources to import.
from enum import Enum


class SupportLevel(Enum):
    SUPPORTED = 1
    NOT_SUPPORTED_YET = 0
