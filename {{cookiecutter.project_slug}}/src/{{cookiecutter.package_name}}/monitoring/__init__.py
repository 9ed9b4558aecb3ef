"""Model monitoring: what can fail silently, made visible.

Every prediction is recorded (`prediction_log`); the inputs and predictions of the current
window are compared with the champion's training snapshot (`tracking.reference`, `drift`); a
policy turns drift, model age and measured performance into a retraining decision (`retrain`);
and the results reach Prometheus as gauges (`gauges`) that the alert rules in
`deploy/prometheus/` route to the team that can act.
"""
