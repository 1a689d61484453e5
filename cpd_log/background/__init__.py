"""Background work on a real queue (huey): PDF/ZIP exports and account restores run in a worker
process (`flask --app cpd_log worker`), any host's worker can take any job, and any host can read
a job's progress (its row) and its file (under the shared UPLOAD_DIR)."""
