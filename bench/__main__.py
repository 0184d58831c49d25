import importlib
import pkgutil
import sys
from pathlib import Path


def _names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                  if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = _names()
    if argv and argv[0] in ("-l", "--list"):
        print("\n".join(names))
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in names:
            print(f"unknown benchmark {name!r}; available: {', '.join(names)}", file=sys.stderr)
            return 2
        return importlib.import_module(f"bench.{name}").main(rest)
    print("benchmarks: " + ", ".join(names))
    status = 0
    for name in names:
        print(f"\n== {name}")
        status |= importlib.import_module(f"bench.{name}").main(argv)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
