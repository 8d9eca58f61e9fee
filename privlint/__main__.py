from privlint.lint.cli import main

main()
