"""The oracle's run-time side is the product's: `wirelint.runtime.worker` (kept runnable by path here)."""

from wirelint.runtime.worker import runtime_document, worker

if __name__ == "__main__":
    import json
    import sys

    if sys.argv[1:] == ["--worker"]:
        worker()
    else:
        print(json.dumps(runtime_document(sys.argv[1], sys.argv[2])))
