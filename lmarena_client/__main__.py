"""``python -m lmarena_client`` starts the API server, as earlier users of the package were told."""

import sys


def main() -> None:
    try:
        from lmarena_api.launcher import main as serve
    except ImportError as exc:
        sys.exit(
            f"the server needs the 'server' extra ({exc.name} is missing): "
            "pip install 'lmarena-client[server]'"
        )
    serve()


if __name__ == "__main__":
    main()
