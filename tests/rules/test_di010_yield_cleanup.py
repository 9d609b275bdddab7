"""DI010 on yield dependencies: which generators count, and the exact messages, help lines and locations."""

from __future__ import annotations

from wirelint.rules import run_rules
from wirelint.rules.di010_yield_dependency_cleanup import YieldDependencyCleanup

FILES = {
    "app/__init__.py": "",
    "app/deps.py": """\
from contextlib import asynccontextmanager
from fastapi import FastAPI
def get_db():
    db = SessionLocal()
    yield db
    db.close()
def require_tx(readonly: bool):
    def tx():
        conn = engine.connect()
        try:
            yield conn
        except Exception:
            conn.rollback()
        finally:
            conn.close()
    return tx
class Scoped:
    def __call__(self):
        db = SessionLocal()
        yield db
        db.close()
scoped = Scoped()
def unused():
    db = SessionLocal()
    yield db
    db.close()
@asynccontextmanager
async def lifespan(app: FastAPI):
    client = make_client()
    yield
    await client.aclose()
""",
    "app/main.py": """\
from fastapi import Depends, FastAPI
from app.deps import get_db, lifespan, require_tx, scoped
app = FastAPI(lifespan=lifespan)
@app.get("/a")
def a(db=Depends(get_db), conn=Depends(require_tx(True)), other=Depends(scoped)):
    return db
""",
}


def test_yield_dependencies_only_with_messages_and_help(analyze_project):
    index = analyze_project(FILES)
    findings = [(f.location.path, f.location.line, f.location.column, f.message, f.fix)
                for f in run_rules(index, [YieldDependencyCleanup()])]
    skipped_help = "move it into a `finally:` block around the yield, or open the resource with `with`"
    assert findings == [
        ("app/deps.py", 6, 5, ("`db.close()` after the yield (line 5) of dependency `get_db` is skipped when the "
         "endpoint raises, so what it cleans up leaks"), skipped_help),
        ("app/deps.py", 12, 9, ("`except Exception:` around the yield (line 11) of dependency "
         "`require_tx.<locals>.tx` does not raise again: the endpoint's exception is swallowed, the client gets "
         "a bare 500 and nothing is logged"), "end the handler with `raise` (or raise an HTTPException)"),
        ("app/deps.py", 21, 9, ("`db.close()` after the yield (line 20) of dependency `Scoped.__call__` is skipped when the "
         "endpoint raises, so what it cleans up leaks"), skipped_help),
    ]


def test_text_report_shows_the_help_line(analyze_project, capsys):
    from wirelint.report.findings import make_report, render_text

    index = analyze_project(FILES)
    findings = run_rules(index, [YieldDependencyCleanup()])
    text = render_text(make_report(findings[:1], files=3, parse_errors=0), summary=False)
    assert text.splitlines() == [
        ("app/deps.py:6:5: DI010 [yield-dependency-cleanup] `db.close()` after the yield (line 5) of dependency "
        "`get_db` is skipped when the endpoint raises, so what it cleans up leaks"),
        "  6 |     db.close()",
        "    |     ^",
        "  help: move it into a `finally:` block around the yield, or open the resource with `with`",
        "",
    ]
