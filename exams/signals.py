"""Signals other domains listen to (blinker).

``results_released`` is sent with ``sender=exam_session_id`` after the transaction that
released a session's results has committed (see ``exams.services.grading.release_results``);
certificates listens to it to issue certificates.
"""

from blinker import Namespace

_signals = Namespace()

results_released = _signals.signal("exams.results_released")
