"""The collector on Python's tree (`ast`) gives the facts the libcst collector gave: a differential test.

The libcst collector is the one of commit 71abb27, the last before the rewrite, read from git with the parsing
module it used (`git show`); the test is skipped where git or that commit is not available. Two differences
are known and intended, so the reference is the old collector with them fixed:

- libcst counts columns in characters, but the old collector anchored its replay of libcst's code generation
  at `ast` columns, which count UTF-8 bytes: on lines with non-ASCII text before a node, its columns were
  bytes. The reference anchors at characters (see `_anchored_at_characters`).
- `def f(*` on one line and `args)` on the next: the old anchoring put the star on the name's line; the span
  is now where the star is (see test_a_star_on_its_own_line).

For syntax newer than the interpreter, the old collector's facts read from Python's tree (lookups, tests,
constructions, mutable globals, global writes, body calls) lost the statements Python could not parse; the new
ones must hold at least the old ones, and everything else must be equal.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import subprocess
import sys
import types
from pathlib import Path

import pytest

from wirelint.analyzer import collectors
from wirelint.analyzer.discovery import LINE_BREAK_RE
from wirelint.analyzer.lookups import functions_in, own_nodes
from wirelint.analyzer.models import UNION_OPERATOR, OtherExpr, SubscriptExpr

LEGACY_COMMIT = "71abb27"
ROOT = Path(__file__).resolve().parents[2]
FROM_PYTHONS_TREE = ("lookups", "tests", "is_test", "constructions", "mutable_globals", "global_writes", "body_calls",
                     "call_flows", "attribute_writes", "attribute_reads")


def _legacy_module(name: str, text: str) -> types.ModuleType:
    module = types.ModuleType(f"wirelint.analyzer._legacy_{name}")
    module.__package__ = "wirelint.analyzer"
    module.__file__ = f"<{LEGACY_COMMIT}:{name}.py>"
    sys.modules[module.__name__] = module
    exec(compile(text, module.__file__, "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def legacy():
    """The libcst collector of LEGACY_COMMIT (its own parsing module; models, lookups and overrides current)."""
    texts = {}
    for name in ("parsing", "collectors"):
        try:
            texts[name] = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{LEGACY_COMMIT}:src/wirelint/analyzer/{name}.py"],
                check=True, capture_output=True, text=True).stdout
        except (OSError, subprocess.CalledProcessError):
            pytest.skip(f"the libcst collector of {LEGACY_COMMIT} is not available from git")
    _legacy_module("parsing", texts["parsing"])
    module = _legacy_module("collectors", texts["collectors"].replace("from .parsing import",
                                                                      "from ._legacy_parsing import"))
    module.anchored_positions = _anchored_at_characters(module.anchored_positions)
    yield module
    for name in ("parsing", "collectors"):
        sys.modules.pop(f"wirelint.analyzer._legacy_{name}", None)


def _anchored_at_characters(anchored_positions):
    def anchored(module, tree, node_types):
        source = module.code
        if source.isascii():
            return anchored_positions(module, tree, node_types)
        starts = [0] + [match.end() for match in LINE_BREAK_RE.finditer(source)]
        encoded: dict[int, bytes] = {}

        def characters(line: int, column: int) -> int:
            if line not in encoded:
                end = starts[line] if line < len(starts) else len(source)
                encoded[line] = source[starts[line - 1]:end].encode("utf-8", "surrogatepass")
            return len(encoded[line][:column].decode("utf-8", "surrogatepass"))

        tree = copy.deepcopy(tree)
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) is not None:
                node.col_offset = characters(node.lineno, node.col_offset)
                if getattr(node, "end_lineno", None) is not None:
                    node.end_col_offset = characters(node.end_lineno, node.end_col_offset)
        return anchored_positions(module, tree, node_types)

    return anchored


# Facts added after LEGACY_COMMIT: the legacy collector has none to compare (tests/analyzer/test_generators.py,
# tests/rules/test_di011_resource_escape.py).
ADDED_SINCE = ("yield_gaps", "handoffs", "name_reads")


def both(legacy, source: str | bytes, path: str = "m.py"):
    """The legacy and the current facts of one module, without the facts added since, and with `X | Y`
    annotations as the legacy collector kept them (text): they are kept as unions since DI012."""
    data = source.encode() if isinstance(source, str) else source
    new = collectors.collect_module("m", path, data, False)
    new = dataclasses.replace(new, **dict.fromkeys(ADDED_SINCE, ()))
    old = _globals_unbound(legacy.collect_module("m", path, data, False), data)
    return old, _legacy_unions(new)


def _globals_unbound(facts, data: bytes):
    """The legacy facts without the bindings a function made for names it declares `global` or `nonlocal`:
    they bind the module's (the enclosing function's) name, as Python does, since DI012."""
    try:
        tree = ast.parse(data)
    except SyntaxError:
        return facts
    declared = {qualname: {name for node in own_nodes(function) if isinstance(node, (ast.Global, ast.Nonlocal))
                           for name in node.names}
                for qualname, function in functions_in(tree.body, "")}
    scopes = dict(facts.scopes)
    for qualname, names in declared.items():
        if names and qualname in scopes:
            scope = scopes[qualname]
            bindings = {name: binding for name, binding in scope.bindings.items() if name not in names}
            scopes[qualname] = dataclasses.replace(scope, bindings=bindings)
    return dataclasses.replace(facts, scopes=scopes)


def _legacy_unions(value):
    if isinstance(value, SubscriptExpr) and value.value == OtherExpr(UNION_OPERATOR):
        return OtherExpr("BinaryOperation")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _legacy_unions(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        return tuple(_legacy_unions(item) for item in value)
    if isinstance(value, dict):
        return {key: _legacy_unions(item) for key, item in value.items()}
    return value


def differences(old, new, where: str = "") -> list[str]:
    """Where two facts differ, field by field (for a readable failure)."""
    if old == new:
        return []
    if dataclasses.is_dataclass(old) and type(old) is type(new):
        return [line for f in dataclasses.fields(old)
                for line in differences(getattr(old, f.name), getattr(new, f.name), f"{where}.{f.name}")]
    if isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
        return [line for key in old for line in differences(old[key], new[key], f"{where}[{key!r}]")]
    if isinstance(old, tuple) and isinstance(new, tuple) and len(old) == len(new):
        return [line for index, (a, b) in enumerate(zip(old, new))
                for line in differences(a, b, f"{where}[{index}]")]
    return [f"{where}: old {old!r}, new {new!r}"]


SNIPPETS = {  # Python parses these: the collector walks its tree as it is
"decorators": '''\
from fastapi import APIRouter, Depends
router = APIRouter()
@router.get("/a", dependencies=[Depends(lambda: 1)])
@( router.post )("/b")
@(router.put("/c"))
@other
async def handler(x: int = Depends(lambda q=Depends(lambda: 0): q), *args, y=Depends(get), **kw) -> "Item":
    return x
@router.api_route("/d", methods=["GET"])
def d(): return (lambda: 2)
''',
"nested": '''\
class Outer(Base, metaclass=Meta):
    """doc"""
    field: int = Depends(make)
    other: "Optional[Repo]"
    class Inner:
        x: List["Foo"] = []
        def method(self, a=Depends(lambda: 1)):
            def local(b=Depends(lambda: 2)):
                return lambda: OrderService(repo)
            service = OrderService(repo)
            helper(a, b)
            return local
    async def am(self): yield 1
def outer():
    class InFunc:
        y = make(A)
        def m(self): return self
    z = lambda: 3
    w = foo(lambda: 4)
    container[Repo] = SqlRepo
    app = FastAPI(dependencies=[Depends(lambda: 5)])
    app.include_router(router, prefix="/x")
    router.add_api_route("/y", outer)
    return InFunc
''',
"non_ascii": '''\
x = "é"; y = f(a, "ü")
def g(a: int = "é", *, b, **kwärgs):
    return "éé"
class C:
    z = "é"; w: int = make("ß", q)
    π = µ
rôle = Depends(get_rôle)
app.include_router(rôuter, prefix="/é")
s = f"é{x}ü{y(z)}"
t = "é" + f"{a}"
def h(é=Depends(lambda: "ü")): return é
''',
"tabs": "class A:\n\tdef f(self,\n\t      x=Depends(lambda: 1)):\n\t\treturn x\n\tq = f(a)\n",
"crlf": "from fastapi import Depends\r\nclass A:\r\n    def f(self,\r\n          x=Depends(lambda: 1)):\r\n        return x\r\ny = g(a)\r\n",
"lone_cr": "from fastapi import Depends\rclass A:\r    def f(self,\r          x=Depends(lambda: 1)):\r        return x\ry = g(a)\r",
"backslash": "x = \\\n    f(a, \\\n      b)\ndef f(a, \\\n      b=Depends(c)): \\\n    return a\nclass K(\\\n  Base): pass\n",
"parens": '''\
x = ( f(a) )
y = ((g)(a))
z = (
    h(a)
)
w = (lambda: 1)
v = [ (lambda: 2), (lambda x: x)(3) ]
u = (a.b)(c)
t = x[(a, b)]
s = x[(a), (b)]
r = x[a, b]
q = x[a,]
p = x[()]
o = x[a:b, c]
container[(Repo)] = Sql
container[Repo,] = Sql
container[None] = make(a)
k: (int) = (f(x))
''',
"string_annotations": '''\
def f(a: "Repo", b: "List['Repo']", c: "int  # c", d: "*Ts", e: "bad syntax here", f: "Annotated[Repo, Depends(get)]",
      g: b"bytes", h: "a" "b", i: Dict["K", "V"], j: "lambda: 1", k: u"U"): pass
X = Annotated["Repo", Depends(lambda: 1)]
Y: "Optional[Repo]" = None
''',
"walrus": '''\
if (n := f(a)) > 1: pass
(m := g(b))
def w():
    (k := h(c))
    return (j := q(a))
''',
"match": '''\
match command:
    case [x, y]:
        app.include_router(router)
        v = f(a)
    case {"k": z}:
        def inner(): return z
    case _:
        pass
''',
"star_params": '''\
def f(a, /, b, *  args, c=1, d: int = Depends(g), **  kwargs): pass
def g(*, a): pass
h = lambda *a, b=1, **k: 0
i = lambda a, /, b: 0
''',
"main_guard": '''\
x = make(A)
if __name__ == "__main__":
    y = make(B)
elif "__main__" == __name__:
    z = make(C)
if __name__ == "__ma" "in__":
    w = make(D)
if __name__ == b"__main__":
    v = make(E)
''',
"strings": '''\
a = f"x{y}z"
b = f"{y!r}" f"{z:>3}" f"{w:}" f"{{}}" f"{v=}"
c = "a" f"{y}" "c"
d = rf"\\d{y}\\n"
e = f"a\\n{y}\\N{EN DASH}"
f_ = f"""multi
{y(a)}
line"""
g = b"bytes" b"more"
h = "plain" + f"{x}" + y
i = f"{x:{w}}" + f"{f'{q}'}"
j = f"{a['k']}" f'{b["k"]}' if 0 else 1
k = U"x".join(a)
l = f""
m = f"{x}{y}"
n = f"{ x = !r:>{w}}"
o = f"\\{x}"
p = ("a"
     f"{call(x)}"  # comment
     "b")
''',
"calls": '''\
foo(None)
foo(True, *a)
bar(k=None)
baz(**kw)
None.foo(a)
x = f(*a, b, k=lambda: 1, **c)
(lambda: 1)(lambda: 2)
y = g(a)(b)
z = await_(a)
async def q():
    await foo(a)
    x = await Bar(a)
    return await Baz(a)
    yield
def r():
    y = yield
    return (yield)
''',
"imports": '''\
import a.b.c
import a.b as ab, d
from . import x
from .. import y as yy
from ...pkg.mod import z
from os import *
class K:
    from m import *
    import q
''',
"assignments": '''\
a, b = f(), g()
a, *b = f(), g(), h()
[c, d] = [h(x), i(y)]
e = f = j(x)
g.h = k(x)
container[Session] = SessionLocal()
container[a.b] = c
x[a][b] = 1
for i, (j, *k) in items: pass
with open(a) as h, b() as (i, j): pass
try: pass
except ValueError as err: pass
try: pass
except* TypeError as err2: pass
X: TypeAlias = "Foo"
obj.attr: int = make(a)
n: int
class F:
    m: int
    o: Factory[Orders] = Factory(Orders)
    p = Q(r)
    s, t = u(v), w(x)
''',
"type_checking": '''\
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from a import B
else:
    B = None
while x: y = f(a)
else: z = g(b)
for i in x: pass
else: w = h(c)
if a: b = 1; c = d(e)
''',
"operators": '''\
a = b or c or d
e = f and g or h
i = j if k else l
m = -1
n = not o
p = q < r
s = 1.5
t = 2j
u = ...
v = {1: 2}
w = [x for x in y]
x = {x for x in y}
y = {k: v for k, v in z}
z = (x for x in y)
aa = yield_
bb = a @ b
cc = a[1:2]
dd = a + b
ee = "s" * 3
''',
}
NEWER = {  # syntax newer than Python 3.11: rewritten before Python parses it
"pep695": '''\
from fastapi import Request
type Name = str
type Pair[T] = tuple[T, T]
type Lazy = "Repo"
type Made = make(a)


class Repo[T: int](object):
    def read(self, request: Request):
        return request.app.state.repo
    def first[U](self, x: U = Depends(lambda: 1)) -> U:
        return x


def generic[T](request: Request) -> T:
    return request.app.state.other
class Multi[
    T,
    U,
](Base):
    x: int = f(a)
''',
"pep701": '''\
@decorate
@decorate(
    1)
def label(items):
    return f"{items["a"]}"
x = f"{get("k")}" + "s"
y = f"é {make(OrderService(repo))["k"]} {z!r} {q:>{w("x")}}"
z = "a" f"{b["c"]}" "d"
w = f"{f"{inner("x")}"}"
app.include_router(router, prefix=f"/{settings["p"]}")
v = f"""
{call(
    a,  # comment
)}
"""
u = f"{a, b}x"
''',
"pep758": '''\
def tolerant():
    try:
        pass
    except ValueError, TypeError:
        return make(A)
    try:
        x = f(a)
    except* ValueError,TypeError:
        pass
    try: pass
    except A,B:pass
ITEMS = []
''',
"pep750": '''\
x = t"hello {name(a)}"
y = t"a{b}"
def f(q=t"{c}"): return q
''',
"mixed": '''\
import os
ITEMS = []
class Repo[T]:
    def get(self, request):
        ITEMS.append(1)
        return request.app.state.x
def g():
    try:
        return f"{os.environ["A"]}"
    except KeyError, ValueError:
        return container.get(Thing)
''',
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippets(legacy, name):
    old, new = both(legacy, SNIPPETS[name])
    assert differences(old, new) == []
    assert new.parse_error is None and new.unanalysed_lines == ()


@pytest.mark.parametrize("path", sorted(ROOT.joinpath("sample_app").rglob("*.py")),
                         ids=lambda path: str(path.relative_to(ROOT)))
def test_sample_app(legacy, path):
    old, new = both(legacy, path.read_bytes(), str(path.relative_to(ROOT)))
    assert differences(old, new) == []


@pytest.mark.parametrize("name", sorted(NEWER))
def test_newer_syntax(legacy, name):
    old, new = both(legacy, NEWER[name])
    assert new.parse_error is None and new.unanalysed_lines == ()  # nothing left out
    without = dict.fromkeys(FROM_PYTHONS_TREE)
    assert differences(dataclasses.replace(old, **without), dataclasses.replace(new, **without)) == []
    for field in FROM_PYTHONS_TREE:  # the old ones lost what Python could not parse
        if field not in ("tests", "is_test"):
            assert set(getattr(old, field)) <= set(getattr(new, field)), field


def test_a_star_on_its_own_line():
    facts = collectors.collect_module("m", "m.py", b"def j(\n    *\n    args,\n    **  kw): pass\n", False)
    args, kw = facts.functions["j"].parameters
    assert (args.location.line, args.location.column, args.location.end_line, args.location.end_column) == (2, 5, 3, 9)
    assert (kw.location.line, kw.location.column, kw.location.end_line, kw.location.end_column) == (4, 5, 4, 11)
