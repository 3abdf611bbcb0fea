"""The ESP export: personalised send lists for any email service provider, safely.

Entry point: ``followup export`` (``--help`` explains every option).

Modules, in the order an export uses them:

``cli``           the command line (click): options, help, exit codes 0 / 1 / 2 / 3
``exporter``      the run: lock, tidy the state, prepare and check every flow, write
``esp_profiles``  ESP profiles (``export/profiles/*.yml``): columns, format, limits
``warehouse``     the dbt target (DuckDB, PostgreSQL): analytics read, state written
``state``         the send log and its batches in the warehouse (``followup_state``)
``fields``        the send-list fields and their types
``sendlist``      plan what to read, build the send list, derive fields
``names``         name cleaning and salutations (``export/salutations.yml``)
``render``        subject lines and preheaders (``export/templates/<lang>/<flow>.yml``),
                  sandboxed Jinja2, rendered once per distinct input
``validation``    the Great Expectations gate and the spike guard
``formats``       CSV files, spreadsheet safety, hashing, parts (``json_format``: JSON bodies)
``writer``        one batch exactly once: files, send log, renames, manifest, recovery
``output``        atomic files, manifest written last, output layout
``errors``        the exit code of each way an export stops early

Output layout under ``--out DIR`` (see :mod:`followup.export.output`)::

    DIR/<as_of>/<profile>/<flow_id>[.bN][.<variant>][.partNNN].<ext>
    DIR/<as_of>/<profile>/<flow_id>[.bN].manifest.json
"""
