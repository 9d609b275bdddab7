"""One small module per DI style wirelint follows into a container or a composition root.

``lagom_style`` (a lagom ``Container`` behind ``FastApiIntegration``), ``injector_style`` (a
dependency-injector ``DeclarativeContainer`` wired with ``@inject``) and ``composition_root`` (plain
constructor injection, built by hand at module level). Each shows one anti-pattern, with the fix in a
comment next to it; their routers are mounted under ``/containers/...`` by ``sample_app.main``.
"""
