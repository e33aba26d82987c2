"""Stage 3: the reply side. SLA clocks, priority, status transitions, reply drafts and tone checks.

The modules here are pure (``now`` is an argument, no IO) so the queue, the store and the web app can
wire them in without the tests needing any of those:

* ``transitions``: the one status table and its audit events;
* ``calendar``: business-hours arithmetic with time zones, weekends, holidays and DST;
* ``sla``: policy matching, due times and applied-SLA evaluation with warnings and escalation;
* ``priority``: the queue score, its bucket and the reasons shown to agents;
* ``metrics``: response-time summaries, SLA attainment, NPS, CSAT and CES;
* ``drafts``, ``tone`` (its rules per language in ``tone_rules``), ``textlimits``: reply suggestions, the tone
  guard and platform limits;
* ``cli``: ``careline sla due`` and ``careline tone-check``.
"""
