from wirelint.cli.app import main

main()
