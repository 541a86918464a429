from . import _pytree
