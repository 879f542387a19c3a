from deck.cli import main

raise SystemExit(main())
