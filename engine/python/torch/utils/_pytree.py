# torch.utils._pytree, minimal: flatten/unflatten over tuples, lists, dicts and None.


class TreeSpec:
    def __init__(self, type, context, children_specs):
        self.type = type
        self.context = context
        self.children_specs = children_specs

    @property
    def num_leaves(self):
        return 1 if self.type is None else sum(c.num_leaves for c in self.children_specs)

    def __eq__(self, other):
        return isinstance(other, TreeSpec) and (self.type, self.context, self.children_specs) == (other.type, other.context, other.children_specs)

    def __repr__(self):
        if self.type is None:
            return "*"
        return f"TreeSpec({self.type.__name__}, {self.context}, [{', '.join(map(repr, self.children_specs))}])"


LeafSpec = lambda: TreeSpec(None, None, [])  # noqa: E731


def _children(x):
    if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
        return type(x), None, list(x)
    if isinstance(x, dict):
        return dict, list(x.keys()), list(x.values())
    if x is None:
        return type(None), None, []
    return None


def tree_flatten(tree, is_leaf=None):
    leaves = []

    def rec(x):
        c = None if (is_leaf and is_leaf(x)) else _children(x)
        if c is None:
            leaves.append(x)
            return LeafSpec()
        t, ctx, kids = c
        return TreeSpec(t, ctx, [rec(k) for k in kids])

    spec = rec(tree)
    return leaves, spec


def tree_unflatten(leaves, spec):
    it = iter(leaves)

    def rec(s):
        if s.type is None:
            return next(it)
        kids = [rec(c) for c in s.children_specs]
        if s.type is dict:
            return dict(zip(s.context, kids))
        if s.type is type(None):
            return None
        return s.type(kids)

    return rec(spec)


def tree_leaves(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[0]


def tree_map(fn, tree, is_leaf=None):
    leaves, spec = tree_flatten(tree, is_leaf)
    return tree_unflatten([fn(x) for x in leaves], spec)
