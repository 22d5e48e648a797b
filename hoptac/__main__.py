from hoptac.cli import main

main()
