# torch._dynamo.exc: the exception classes export raises.
from enum import Enum

from .._bridge import register_error


class TorchDynamoException(RuntimeError):
    pass


class UserErrorType(Enum):
    DYNAMIC_CONTROL_FLOW = "DYNAMIC_CONTROL_FLOW"
    ANTI_PATTERN = "ANTI_PATTERN"
    STANDARD_LIBRARY = "STANDARD_LIBRARY"
    CONSTRAINT_VIOLATION = "CONSTRAINT_VIOLATION"
    DYNAMIC_DIM = "DYNAMIC_DIM"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_OUTPUT = "INVALID_OUTPUT"
    UNSUPPORTED_ALIASED_MUTATED_DYNAMIC_INPUTS = "UNSUPPORTED_ALIASED_MUTATED_DYNAMIC_INPUTS"


class UserError(TorchDynamoException):
    def __init__(self, error_type=None, msg=None, case_name=None):
        if msg is None and not isinstance(error_type, UserErrorType):
            msg, error_type = error_type, None
        if isinstance(error_type, str):
            error_type = UserErrorType[error_type]
        super().__init__(msg)
        self.error_type = error_type
        self.message = msg


class Unsupported(TorchDynamoException):
    pass


register_error("torch._dynamo.exc.UserError", UserError)
