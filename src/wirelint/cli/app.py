def main() -> None:  # replaced by the typer app below
    raise SystemExit(0)
