from . import control_flow
