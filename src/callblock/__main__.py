from callblock.entry import main

raise SystemExit(main())
