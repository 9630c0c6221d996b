"""``python -m lmarena_client`` starts the API server, as earlier users of the package were told;
``python -m lmarena_client doctor [...]`` runs ``lmarena-doctor``."""

import sys


def main() -> None:
    if sys.argv[1:2] == ["doctor"]:
        from .doctor.cli import main as doctor

        doctor(sys.argv[2:])
        return
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
