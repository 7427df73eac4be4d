"""The bundled demo estate and the demo that scans it (``make demo``, ``aicensus demo``).

``estate/`` holds small sample repositories; ``standins/`` the local stand-ins of AWS, Azure,
Google Cloud and SaaS admin APIs that the demo and the test suite both serve on 127.0.0.1;
``demo.py`` starts them, scans everything twice with a change in between, and shows the result.
"""
