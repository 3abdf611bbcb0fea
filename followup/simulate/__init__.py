"""``followup simulate``: play the ESP and the customers for K days of the daily job.

The warehouse ends with K days of decisions, sends and history, and the uplift it
measures can be checked against a planted truth (README, "Simulating days").

1. A data set is generated for END = START + K - 1 (:mod:`followup.generate`), so that
   background activity (web visits, opt-ins, campaigns, orders) exists for every day;
   its flow mails dated from START on are removed (the simulated ESP sends those).
2. For each day d in order: the delivery of d (:mod:`~followup.simulate.delivery`: the
   generated rows dated <= d plus every simulated row written so far and dated <= d)
   is run by the real scheduled command, ``followup daily --as-of d --from DIR/delivery
   --esp generic``, as a subprocess. A failing day stops the simulation; only a list the
   export's spike guard refused is exported anyway, with ``--allow-spike``
   (``followup export --allow-spike``, as the refusal tells an operator).
3. After d's run the ESP reads d's send lists (:mod:`~followup.simulate.sendlists`) and
   answers (:mod:`~followup.simulate.model`), dated d: per mail a 'sent' event with the
   flow, the step and a message id ``sim-M-<yyyymmdd>-<flow>-<step>-<contact>`` (the
   export's send log is matched on contact, flow, step and day), then the fate below.
   Planted orders ``sim-O-<yyyymmdd>-<flow>-<step>-<contact>`` are dated d + U{0..W-1}
   and delivered on their own day.
4. ``DIR/truth.json`` records u_f per flow and the expected measured uplift
   (:func:`~followup.simulate.truth.planted_uplift`).

Response model (constants in :mod:`followup.simulate.model`):

=================================  ============================================
'sent'                             every exported row with a contact_id
delivered / hard / soft bounce     0.97 / 0.01 / 0.02 of sent (one of them)
machine open (is_machine_open)     0.15 of delivered
real open                          0.35 of delivered (per-flow overrides: none)
click (to a catalogue product)     0.25 of real openers
unsubscribe                        0.004 of delivered
spam complaint                     0.001 of delivered
ESP suppression                    every hard bounce, unsubscribe, complaint
planted order (u_f)                abandoned_cart 0.30, repeat_purchase 0.20,
                                   reactivation 0.15, lead_nurture 0.10,
                                   win_back 0.10, reminder_non_open 0.05,
                                   reminder_no_click 0.05, birthday 0.0 and
                                   browse_abandonment 0.0 (null checks),
                                   every other flow 0.05
order day                          d + U{0 .. ATTRIBUTION_WINDOW_DAYS - 1} (7 days)
order                              status 'paid', EUR, web, one line: one active
                                   catalogue product at its price
=================================  ============================================

Held-out contacts get nothing (they are not in the send lists). Every draw comes from
one numpy Generator per (seed, day, flow); a given --seed gives the same files.
"""

from followup.simulate.model import ATTRIBUTION_WINDOW_DAYS, PLANTED_CONVERSION
from followup.simulate.truth import planted_uplift

__all__ = ["ATTRIBUTION_WINDOW_DAYS", "PLANTED_CONVERSION", "planted_uplift"]
