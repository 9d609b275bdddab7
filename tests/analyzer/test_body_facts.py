"""Each function's body facts are its own: nested functions are not their parent's, wherever they are defined."""

from __future__ import annotations

import textwrap

from wirelint.analyzer.collectors import collect_module

SOURCE = textwrap.dedent("""\
    CACHE = {}
    def outer(k, v):
        def inner(k, v):
            CACHE[k] = v
        return inner
    if FLAG:
        def under_if(k, v):
            CACHE[k] = v
    try:
        import fast
    except ImportError:
        def in_handler(k, v):
            CACHE[k] = v
    class Store:
        if FLAG:
            def put(self, k, v):
                CACHE[k] = v
    def guarded(k, v):
        with lock:
            def in_with(k, v):
                CACHE[k] = v
    """)


def test_every_write_belongs_to_the_function_that_makes_it_once():
    facts = collect_module("m", "m.py", SOURCE.encode(), False)
    assert sorted((write.function, write.line) for write in facts.global_writes) == [
        ("Store.put", 17),
        ("guarded.<locals>.in_with", 21),
        ("in_handler", 13),
        ("outer.<locals>.inner", 4),
        ("under_if", 8),
    ]
    assert set(facts.functions) >= {"outer.<locals>.inner", "under_if", "in_handler", "Store.put",
                                    "guarded.<locals>.in_with"}
