from govex.cli.main import main

main()
