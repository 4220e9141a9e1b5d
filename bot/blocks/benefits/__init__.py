"""Every message, view and text of benefits, a module per part: `common`, `requesting` (the member's
side), `review` (the TSC deciding), `admin` (the TSC's Home, catalogue and reports)."""
