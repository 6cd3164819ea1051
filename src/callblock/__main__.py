from callblock.cli import main

raise SystemExit(main())
