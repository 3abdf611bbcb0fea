"""The ESP export: personalised send lists for any email service provider, safely.

Entry point: ``scripts/export_send_lists.py`` (``--help`` explains every option).

Modules, in the order an export uses them:

``cli``           the command line (click): options, help, exit codes 0 / 1 / 2
``exporter``      the run: prepare and check every flow, then write or preview
``esp_profiles``  ESP profiles (``export/profiles/*.yml``): columns, format, limits
``warehouse``     read-only readers for the dbt target (DuckDB, PostgreSQL)
``fields``        the send-list fields and their types
``sendlist``      plan what to read, build the send list, derive fields
``names``         name cleaning and salutations (``export/salutations.yml``)
``render``        subject lines and preheaders (``export/templates/<lang>/<flow>.yml``),
                  sandboxed Jinja2, rendered once per distinct input
``validation``    the Great Expectations gate and the spike guard
``formats``       CSV / JSON request bodies, spreadsheet safety, hashing, parts
``output``        atomic files, manifest written last, output layout
``sendlog``       the send log (Parquet) that keeps a send from happening twice
``errors``        ConfigError (exit 2) and ValidationRefused (exit 1)

Output layout under ``--out DIR`` (see :mod:`followup.export.output`)::

    DIR/<as_of>/<profile>/<flow_id>[.bN][.<variant>][.partNNN].<ext>
    DIR/<as_of>/<profile>/<flow_id>[.bN].manifest.json
    DIR/send_log/<as_of>/<flow_id>.<channel>.<profile>.bN.parquet
"""
