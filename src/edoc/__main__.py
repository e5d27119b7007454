from edoc.cli import main

main()
