"""Facts from one pass over one module: scopes and bindings, functions, classes, routes, includes.

The collector never resolves names across modules; it records what each name is bound to in each scope
(see `Binding`) and leaves the meaning to `resolve`. Expressions are kept in the small IR of `models`.
"""

from __future__ import annotations

import ast
import warnings

import libcst as cst

from .models import (
    AttributeExpr,
    Binding,
    CallExpr,
    ClassFacts,
    ConditionalExpr,
    Expr,
    FormattedStringExpr,
    FunctionFacts,
    ImportTimeCall,
    IncludeFacts,
    ItemAssignment,
    LambdaExpr,
    Location,
    ModuleFacts,
    NameExpr,
    OtherExpr,
    Parameter,
    ParseErrorFacts,
    RouteFacts,
    ScopeFacts,
    SequenceExpr,
    StringExpr,
    SubscriptExpr,
)
from .discovery import resolve_relative
from .lookups import body_lookups, constructor_calls, function_body_facts, mutable_globals
from .overrides import is_test_code, test_facts
from .parsing import (
    PositionMismatch,
    SourceDecodeError,
    Span,
    anchored_positions,
    ast_despite_newer_syntax,
    decode_source,
    is_construction,
    parse_module,
    positions_of,
    without_data_literals,
)

ROUTE_DECORATORS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"}
)
ROUTE_CALLS = frozenset({"add_api_route", "add_api_websocket_route"})
_POSITIONED = (cst.FunctionDef, cst.ClassDef, cst.Param, cst.Call, cst.Lambda, cst.AnnAssign, cst.Assign)


def collect_module(module: str, path: str, data: bytes, is_package: bool) -> ModuleFacts:
    """Parse `data` and collect its facts; a file that does not decode or parse gives a failed ModuleFacts."""
    with warnings.catch_warnings():  # `"\d"` and the like: Python warns the code's authors, not wirelint's users
        warnings.simplefilter("ignore")  # (and under -W error, a warning must not become wirelint's exception)
        return _collect_module(module, path, data, is_package)


def _collect_module(module: str, path: str, data: bytes, is_package: bool) -> ModuleFacts:
    try:
        source = decode_source(data)
    except SourceDecodeError as error:
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(str(error), error.line, error.column))
    # Python's own parser first: it refuses nesting no interpreter compiles (more than 200 brackets, or
    # deeper than its recursion guard) in milliseconds, where libcst takes time and memory quadratic in the
    # depth and overflows the C stack (a segmentation fault) a few thousand levels down.
    newer_syntax = False
    try:
        python_tree: ast.Module | None = ast.parse(source)
    except SyntaxError as error:
        if error.msg == _TOO_MANY_PARENTHESES:
            return ModuleFacts.failed(module, path, is_package,
                                      ParseErrorFacts(error.msg, error.lineno or 1, error.offset or 1))
        python_tree, newer_syntax = None, True  # maybe syntax newer than this interpreter's: libcst decides
    except (RecursionError, MemoryError):
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(_TOO_DEEP, 1, 1))
    except ValueError:
        python_tree = None
    if python_tree is not None and (slim := without_data_literals(source, python_tree)) is not None:
        try:
            source, python_tree = slim, ast.parse(slim)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass  # never expected: then the original is parsed, slowly
    try:
        tree = parse_module(source)
    except cst.ParserSyntaxError as error:
        return ModuleFacts.failed(module, path, is_package, _syntax_error(source, path, error))
    except RecursionError:
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(_TOO_DEEP, 1, 1))
    spans = None
    if newer_syntax and (despite := ast_despite_newer_syntax(source, tree)) is not None:
        # Python's tree without the statements it cannot parse: its facts, with libcst's own positions.
        python_tree, spans = despite[0], positions_of(tree, _POSITIONED)
    try:
        return _facts(module, path, is_package, source, tree, python_tree, spans)
    except RecursionError:  # valid Python, but deeper than the collectors' recursion allows
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(_TOO_DEEP, 1, 1))


_TOO_MANY_PARENTHESES = "too many nested parentheses"  # CPython's limit (200 levels), the same in 3.11-3.14
_TOO_DEEP = "source nested too deeply"


def _facts(module: str, path: str, is_package: bool, source: str, tree: cst.Module,
           python_tree: ast.Module | None, spans: dict[int, Span] | None = None) -> ModuleFacts:
    if spans is None and python_tree is not None:
        try:
            spans = anchored_positions(tree, python_tree, _POSITIONED)
        except PositionMismatch:
            python_tree = None
    if spans is None:
        spans = positions_of(tree, _POSITIONED)
    collector = _Collector(module, path, is_package, spans)
    body = function_body_facts(python_tree)
    is_test = is_test_code(path, python_tree)
    collector.walk_statements(tree.body)
    return ModuleFacts(
        module=module,
        path=path,
        is_package=is_package,
        functions=collector.functions,
        classes=collector.classes,
        scopes={name: ScopeFacts(name, parent, bindings, tuple(stars), name in collector.classes)
                for name, (parent, bindings, stars) in collector.scopes.items()},
        routes=tuple(collector.routes),
        includes=tuple(collector.includes),
        calls=tuple(collector.calls),
        lookups=body_lookups(source, python_tree),
        tests=test_facts(source, python_tree) if is_test else None,
        is_test=is_test,
        constructions=constructor_calls(python_tree),
        mutable_globals=mutable_globals(python_tree),
        global_writes=body.writes,
        import_time_calls=tuple(collector.import_time_calls),
        item_assignments=tuple(collector.item_assignments),
        compositions=tuple(collector.compositions),
        body_calls=body.calls,
        call_flows=body.flows,
        attribute_writes=body.attribute_writes,
        attribute_reads=body.attribute_reads,
        line_count=source.count("\n") + (0 if source.endswith("\n") or not source else 1),
    )


def _syntax_error(source: str, path: str, error: cst.ParserSyntaxError) -> ParseErrorFacts:
    """Python's own message and position when it agrees the code is invalid (libcst points past the error)."""
    try:
        compile(source, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        return ParseErrorFacts(python_error.msg, python_error.lineno or 1, python_error.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        pass
    return ParseErrorFacts(error.message, error.raw_line, error.raw_column + 1)


def dotted_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _is_main_guard(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = {type(test.left).__name__: test.left, type(target.comparator).__name__: target.comparator}
    name, string = sides.get("Name"), sides.get("SimpleString")
    return (name is not None and name.value == "__name__" and string is not None
            and string.evaluated_value == "__main__")


class _Frame:
    __slots__ = ("kind", "qualname", "scope", "class_facts")

    def __init__(self, kind: str, qualname: str, scope: str) -> None:
        self.kind = kind  # module | class | function
        self.qualname = qualname  # qualname prefix for things defined inside
        self.scope = scope  # the function scope names bind in ("" = module); for classes: the class body
        self.class_facts: dict | None = None


class _Collector:
    def __init__(self, module: str, path: str, is_package: bool, spans: dict[int, Span]) -> None:
        self.module = module
        self.path = path
        self.is_package = is_package
        self.spans = spans
        self.functions: dict[str, FunctionFacts] = {}
        self.classes: dict[str, ClassFacts] = {}
        self.scopes: dict[str, tuple[str | None, dict[str, Binding], list[str]]] = {"": (None, {}, [])}
        self.routes: list[RouteFacts] = []
        self.includes: list[IncludeFacts] = []
        self.calls: list[tuple[str, CallExpr]] = []
        self.import_time_calls: list[ImportTimeCall] = []
        self.item_assignments: list[ItemAssignment] = []
        self.compositions: list[tuple[str, CallExpr]] = []
        self.main_guard = 0
        self.frames: list[_Frame] = [_Frame("module", "", "")]
        # per open function: [yields, returns]
        self.function_state: list[list] = []
        self.lambda_counter = 0

    # --- traversal ---------------------------------------------------------------------------------------
    # Statements only: the facts live at statement level, and visiting every expression and whitespace node
    # with a libcst visitor cost as much as the parse itself.

    def walk_statements(self, statements) -> None:
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self.small_statement(small)
            elif isinstance(statement, cst.FunctionDef):
                self.visit_FunctionDef(statement)
                self.walk_block(statement.body)
                self.leave_FunctionDef(statement)
            elif isinstance(statement, cst.ClassDef):
                self.visit_ClassDef(statement)
                self.walk_block(statement.body)
                self.leave_ClassDef(statement)
            elif isinstance(statement, cst.If):
                self.walk_if(statement)
            elif isinstance(statement, (cst.For, cst.While)):
                if isinstance(statement, cst.For):
                    self._bind_targets(statement.target)
                self.walk_block(statement.body)
                if statement.orelse is not None:
                    self.walk_block(statement.orelse.body)
            elif isinstance(statement, (cst.Try, cst.TryStar)):
                self.walk_block(statement.body)
                for handler in statement.handlers:
                    self.visit_ExceptHandler(handler)
                    self.walk_block(handler.body)
                if statement.orelse is not None:
                    self.walk_block(statement.orelse.body)
                if statement.finalbody is not None:
                    self.walk_block(statement.finalbody.body)
            elif isinstance(statement, cst.With):
                for item in statement.items:
                    self.visit_WithItem(item)
                self.walk_block(statement.body)
            elif isinstance(statement, cst.Match):
                for case in statement.cases:
                    self.walk_block(case.body)

    def walk_if(self, statement: cst.If) -> None:
        if _is_main_guard(statement.test) and not self.function_state:
            self.main_guard += 1  # `if __name__ == "__main__":` runs as a script, not at import
            self.walk_block(statement.body)
            self.main_guard -= 1
        else:
            self.walk_block(statement.body)
        orelse = statement.orelse
        if isinstance(orelse, cst.If):
            self.walk_if(orelse)
        elif orelse is not None:
            self.walk_block(orelse.body)

    def walk_block(self, block) -> None:
        if isinstance(block, cst.IndentedBlock):
            self.walk_statements(block.body)
        else:  # SimpleStatementSuite: `if x: a = 1; b = 2`
            for small in block.body:
                self.small_statement(small)

    def small_statement(self, node: cst.BaseSmallStatement) -> None:
        value = getattr(node, "value", None)
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Yield) and self.function_state:
            self.function_state[-1][0] = True
        if isinstance(node, cst.Assign):
            self.visit_Assign(node)
        elif isinstance(node, cst.AnnAssign):
            self.visit_AnnAssign(node)
        elif isinstance(node, cst.Import):
            self.visit_Import(node)
        elif isinstance(node, cst.ImportFrom):
            self.visit_ImportFrom(node)
        elif isinstance(node, cst.Return):
            self.visit_Return(node)
        elif isinstance(node, cst.TypeAlias):
            self.visit_TypeAlias(node)
        if isinstance(value, cst.Call):
            self.visit_Call(value)
            if isinstance(node, cst.Expr):
                self._composition(value)
        elif isinstance(value, cst.NamedExpr):
            self.visit_NamedExpr(value)

    # --- helpers -----------------------------------------------------------------------------------------

    def location(self, node: cst.CSTNode) -> Location:
        span = self.spans.get(id(node))
        if span is None:
            return Location(self.path, 0, 0, 0, 0)
        return Location(self.path, span[0], span[1] + 1, span[2], span[3] + 1)

    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    def function_scope(self) -> str:
        """The function scope a name bound here lives in (class bodies bind into the class, see bind)."""
        for frame in reversed(self.frames):
            if frame.kind != "class":
                return frame.scope
        return ""

    def bind(self, name: str, binding: Binding) -> None:
        # A class body binds into its own scope, which methods do not see (their parent is the enclosing
        # function scope); annotated class-level names are also recorded as fields.
        self.scopes[self.frame.scope][1][name] = binding

    def child_qualname(self, name: str) -> str:
        frame = self.frame
        if frame.kind == "module":
            return name
        if frame.kind == "class":
            return f"{frame.qualname}.{name}"
        return f"{frame.qualname}.<locals>.{name}"

    # --- expressions -------------------------------------------------------------------------------------

    def expr(self, node: cst.BaseExpression | None) -> Expr | None:
        if node is None:
            return None
        if isinstance(node, cst.Name):
            return NameExpr(node.value)
        if isinstance(node, cst.Attribute):
            return AttributeExpr(self.expr(node.value), node.attr.value)
        if isinstance(node, cst.Call):
            args: list[Expr] = []
            keywords: list[tuple[str, Expr]] = []
            star = False
            for arg in node.args:
                if arg.star:
                    star = True
                elif arg.keyword is not None:
                    keywords.append((arg.keyword.value, self.expr(arg.value)))
                else:
                    args.append(self.expr(arg.value))
            span = self.spans.get(id(node), (0, 0, 0, 0))
            return CallExpr(self.expr(node.func), tuple(args), tuple(keywords), span[0], span[1] + 1, star)
        if isinstance(node, cst.Subscript):
            items = []
            for element in node.slice:
                if isinstance(element.slice, cst.Index):
                    items.append(self.expr(element.slice.value))
                else:
                    items.append(OtherExpr("slice"))
            return SubscriptExpr(self.expr(node.value), tuple(items))
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return StringExpr(value if isinstance(value, str) else value.decode("latin-1"))
        if isinstance(node, cst.ConcatenatedString):
            return self._join(self._string_parts(node))
        if isinstance(node, cst.FormattedString):
            return self._join(self._string_parts(node))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left, right = self.expr(node.left), self.expr(node.right)
            if isinstance(left, (StringExpr, FormattedStringExpr)) or isinstance(
                right, (StringExpr, FormattedStringExpr)
            ):
                return self._join(self._flatten(left) + self._flatten(right))
            return OtherExpr("BinaryOperation")
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return SequenceExpr(
                tuple(
                    self.expr(element.value) if not isinstance(element, cst.StarredElement) else OtherExpr("*")
                    for element in node.elements
                )
            )
        if isinstance(node, cst.Lambda):
            return self.lambda_expr(node)
        if isinstance(node, cst.BooleanOperation):
            left, right = self.expr(node.left), self.expr(node.right)
            if isinstance(node.operator, cst.Or):  # `a or b` is `a if a else b`
                return ConditionalExpr(left, left, right)
            return ConditionalExpr(left, right, left)  # `a and b` is `b if a else a`
        if isinstance(node, cst.IfExp):
            return ConditionalExpr(self.expr(node.test), self.expr(node.body), self.expr(node.orelse))
        return OtherExpr(type(node).__name__)

    def _string_parts(self, node: cst.BaseExpression) -> list[Expr]:
        if isinstance(node, cst.ConcatenatedString):
            return self._string_parts(node.left) + self._string_parts(node.right)
        if isinstance(node, cst.FormattedString):
            parts: list[Expr] = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    parts.append(StringExpr(part.value.replace("{{", "{").replace("}}", "}")))
                elif part.format_spec or part.conversion:
                    parts.append(OtherExpr("formatted"))
                else:
                    parts.append(self.expr(part.expression))
            return parts
        return self._flatten(self.expr(node))

    @staticmethod
    def _flatten(expr: Expr) -> list[Expr]:
        return list(expr.parts) if isinstance(expr, FormattedStringExpr) else [expr]

    @staticmethod
    def _join(parts: list[Expr]) -> Expr:
        if all(isinstance(part, StringExpr) for part in parts):
            return StringExpr("".join(part.value for part in parts))
        return FormattedStringExpr(tuple(parts))

    def annotation(self, node: cst.BaseExpression | None) -> Expr | None:
        """An annotation: string annotations (and strings inside subscripts) are parsed as expressions."""
        if node is None:
            return None
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            if isinstance(value, str):
                try:
                    parsed = cst.parse_expression(value.strip())
                except (cst.ParserSyntaxError, RecursionError):
                    return OtherExpr("string annotation")
                return self.annotation(parsed)
        if isinstance(node, cst.Subscript):
            items = []
            for position, element in enumerate(node.slice):
                if not isinstance(element.slice, cst.Index):
                    items.append(OtherExpr("slice"))
                elif position == 0:
                    items.append(self.annotation(element.slice.value))
                else:
                    items.append(self.expr(element.slice.value))
            return SubscriptExpr(self.expr(node.value), tuple(items))
        return self.expr(node)

    def lambda_expr(self, node: cst.Lambda) -> LambdaExpr:
        qualname = self.child_qualname("<lambda>")
        key = f"{qualname}#{self.spans.get(id(node), (0, 0))[0]}:{self.lambda_counter}"
        self.lambda_counter += 1
        location = self.location(node)
        self.functions[key] = FunctionFacts(
            qualname=qualname,
            name="<lambda>",
            parameters=self.parameters(node.params),
            is_async=False,
            yields=False,
            decorators=(),
            returns=(self.expr(node.body),),
            location=location,
            scope=self.function_scope(),
            is_lambda=True,
        )
        return LambdaExpr(key, location.line)

    def parameters(self, params: cst.Parameters) -> tuple[Parameter, ...]:
        result: list[Parameter] = []

        def add(param: cst.Param, kind: str) -> None:
            result.append(
                Parameter(
                    name=param.name.value,
                    kind=kind,
                    annotation=self.annotation(param.annotation.annotation) if param.annotation else None,
                    default=self.expr(param.default),
                    location=self.location(param),
                )
            )

        for param in params.posonly_params:
            add(param, "positional_only")
        for param in params.params:
            add(param, "positional")
        if isinstance(params.star_arg, cst.Param):
            add(params.star_arg, "var_positional")
        for param in params.kwonly_params:
            add(param, "keyword_only")
        if params.star_kwarg is not None:
            add(params.star_kwarg, "var_keyword")
        return tuple(result)

    # --- definitions -------------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        name = node.name.value
        qualname = self.child_qualname(name)
        frame = self.frame
        class_qualname = frame.qualname if frame.kind == "class" else None
        self.bind(name, Binding("function", target=qualname, line=self.location(node).line))
        if frame.kind == "class" and frame.class_facts is not None:
            frame.class_facts["methods"].append(name)
        decorators = tuple(self.expr(d.decorator) for d in node.decorators)
        for decorator in node.decorators:
            self._route_decorator(decorator.decorator, qualname)
        scope = qualname
        self.scopes[scope] = (self.function_scope(), {}, [])
        facts_args = dict(
            qualname=qualname,
            name=name,
            parameters=self.parameters(node.params),
            is_async=node.asynchronous is not None,
            decorators=decorators,
            location=self.location(node),
            scope=self.function_scope(),
            class_qualname=class_qualname,
            return_annotation=self.annotation(node.returns.annotation) if node.returns is not None else None,
        )
        for parameter in facts_args["parameters"]:
            self.scopes[scope][1][parameter.name] = Binding("parameter", line=parameter.location.line)
        self.frames.append(_Frame("function", qualname, scope))
        self.function_state.append([False, [], facts_args])
        return

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.frames.pop()
        yields, returns, facts_args = self.function_state.pop()
        facts = FunctionFacts(yields=yields, returns=tuple(returns), **facts_args)
        self.functions[facts.qualname] = facts

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        name = node.name.value
        qualname = self.child_qualname(name)
        self.bind(name, Binding("class", target=qualname, line=self.location(node).line))
        frame = _Frame("class", qualname, qualname)
        self.scopes[qualname] = (self.function_scope(), {}, [])
        frame.class_facts = {
            "qualname": qualname,
            "name": name,
            "bases": tuple(self.expr(arg.value) for arg in node.bases if arg.keyword is None and not arg.star),
            "decorators": tuple(self.expr(d.decorator) for d in node.decorators),
            "methods": [],
            "fields": [],
            "location": self.location(node),
            "scope": self.function_scope(),
        }
        self.frames.append(frame)
        return

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        frame = self.frames.pop()
        data = frame.class_facts
        data["methods"] = tuple(data["methods"])
        data["fields"] = tuple(data["fields"])
        self.classes[data["qualname"]] = ClassFacts(**data)

    def visit_Return(self, node: cst.Return) -> None:
        if self.function_state and node.value is not None:
            self.function_state[-1][1].append(self.expr(node.value))
            self._composition(node.value)
        return

    def _composition(self, value: cst.BaseExpression | None) -> None:
        """Record a call of a capitalized name with arguments (a construction, maybe a composition root's)."""
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call) and self.frame.kind != "class" and is_construction(value):
            self.compositions.append((self.function_scope(), self.expr(value)))

    # --- bindings ----------------------------------------------------------------------------------------

    def _assign_value(self, value: cst.BaseExpression) -> Expr:
        # Subscripts assigned to names are usually type aliases: read strings in them as annotations.
        return self.annotation(value) if isinstance(value, cst.Subscript) else self.expr(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        value = None
        self._composition(node.value)
        for target in node.targets:
            self._import_time_call(target.target, node.value)
            if (isinstance(target.target, cst.Subscript) and len(target.target.slice) == 1
                    and isinstance(target.target.slice[0].slice, cst.Index)
                    and isinstance(target.target.slice[0].slice.value, (cst.Name, cst.Attribute))):
                self.item_assignments.append(ItemAssignment(
                    self.function_scope(), self.expr(target.target.value),
                    self.expr(target.target.slice[0].slice.value), self.expr(node.value), self.location(node)))
            if isinstance(target.target, cst.Name):
                if value is None:
                    value = self._assign_value(node.value)
                self.bind(target.target.value, Binding("assign", value=value, line=self._line(node.value) or self._line(node)))
            else:
                self._bind_targets(target.target)
        return

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        target = node.target
        if not isinstance(target, cst.Name):
            return
        annotation = self.annotation(node.annotation.annotation)
        if self.frame.kind == "class" and self.frame.class_facts is not None:
            self.frame.class_facts["fields"].append(
                Parameter(target.value, "keyword_only", annotation, self.expr(node.value), self.location(node))
            )
            if node.value is not None:  # `orders: providers.Factory[Orders] = providers.Factory(Orders)`
                self.bind(target.value, Binding("assign", value=self._assign_value(node.value),
                                                annotation=annotation, line=self._line(node.value)))
            return
        if node.value is None:
            return
        self._import_time_call(target, node.value)
        self._composition(node.value)
        self.bind(
            target.value,
            Binding("assign", value=self._assign_value(node.value), annotation=annotation, line=self._line(node.value) or self._line(node)),
        )
        return

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self.bind(node.name.value, Binding("type_statement", value=self.annotation(node.value), line=self._line(node)))
        return

    def _import_time_call(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if self.function_state or self.main_guard:
            return  # in a function or under `if __name__ == "__main__":`, not at import
        if (isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List))
                and len(target.elements) == len(value.elements)):
            for target_element, value_element in zip(target.elements, value.elements):
                self._import_time_call(target_element.value, value_element.value)
            return
        name = dotted_name(target)
        if (isinstance(target, cst.Subscript) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index)
                and (receiver := dotted_name(target.value)) and (key := dotted_name(target.slice[0].slice.value))):
            name = f"{receiver}[{key}]"  # `container[Session] = SessionLocal()`: a container bound at import
        if isinstance(value, cst.Call) and name is not None:
            prefix = f"{self.frame.qualname}." if self.frame.kind == "class" else ""
            self.import_time_calls.append(ImportTimeCall(prefix + name, self.expr(value), self.location(value)))

    def _line(self, node: cst.CSTNode) -> int:
        span = self.spans.get(id(node))
        return span[0] if span else 0

    def _bind_targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, Binding("assign", value=OtherExpr("unpacked")))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_targets(target.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_targets(node.asname.name)
        return

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.bind(node.name.name.value, Binding("assign", value=OtherExpr("exception")))
        return

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name):
            self.bind(node.target.value, Binding("assign", value=self.expr(node.value)))
        return

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(alias.asname.name.value, Binding("import_module", target=name))
            else:
                top = name.split(".")[0]
                self.bind(top, Binding("import_module", target=top))
        return

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module_name = dotted_name(node.module) if node.module is not None else None
        level = len(node.relative)
        if level:
            source = resolve_relative(self.module, self.is_package, level, module_name)
        else:
            source = module_name or ""
        if isinstance(node.names, cst.ImportStar):
            if self.frame.kind != "class":
                self.scopes[self.frame.scope][2].append(source)
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            local = (
                alias.asname.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                else name
            )
            target = f"{source}.{name}" if source else name
            self.bind(local, Binding("import", target=target))
        return

    # --- routes and includes -----------------------------------------------------------------------------

    def _route_decorator(self, decorator: cst.BaseExpression, qualname: str) -> None:
        if not (isinstance(decorator, cst.Call) and isinstance(decorator.func, cst.Attribute)):
            return
        method = decorator.func.attr.value
        if method not in ROUTE_DECORATORS:
            return
        call = self.expr(decorator)
        self.routes.append(
            RouteFacts(
                scope=self.function_scope(),
                router=call.func.value,
                method=method,
                call=call,
                endpoint=None,
                location=self.location(decorator),
                endpoint_qualname=qualname,
            )
        )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        attr = func.attr.value if isinstance(func, cst.Attribute) else None
        if attr == "include_router":
            call = self.expr(node)
            child = call.argument(0, "router")
            if child is not None:
                self.includes.append(
                    IncludeFacts(self.function_scope(), call.func.value, child, call, self.location(node))
                )
        elif attr in ROUTE_CALLS:
            call = self.expr(node)
            self.routes.append(
                RouteFacts(
                    scope=self.function_scope(),
                    router=call.func.value,
                    method=attr,
                    call=call,
                    endpoint=call.argument(1, "endpoint"),
                    location=self.location(node),
                )
            )
        elif isinstance(func, (cst.Name, cst.Attribute)) and any(
            isinstance(arg.value, (cst.Name, cst.Attribute)) for arg in node.args
        ):
            self.calls.append((self.function_scope(), self.expr(node)))
