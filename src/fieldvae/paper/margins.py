"""The paper's words read as numbers, each stated once, with the words beside it in the claims table
(fieldvae.paper.claims): where the paper gives no count, a claim in words is tested one-sample against
its margin."""

NEVER = 0.05  # "never" (without a count), "no local minima are found": a rate of at most 1 in 20
CONSISTENTLY = 0.9  # "always", "consistently", "nearly identical between trials": at least 9 in 10
MANY = 0.5  # "many": at least half
ROUGHLY_HALF = (1 / 3, 2 / 3)  # "roughly half": between a third and two thirds
NEAR_45_DEGREES = 15.0  # C5: a failed run's code within this of a 45 degree rotation
IDENTICAL_SHARE = 0.95  # C13: latent k explains >= 95% of theta_k in every run, so runs agree closely
DIP_MARGIN = 0.01  # C8, C9: a local minimum counts when both its walls rise more than 1% of its loss above it
DIP_TOLERANCE = 1e-3  # ... and more than this (loss units: above float32 noise at the clip, 1000)
# C14: "unaffected": over the whole label sweep a training loss moves by at most this much, in its own
# units (not relative to its mean: NLL per pixel has an arbitrary constant and may be negative)
UNAFFECTED = {"nll_per_pixel": 0.1, "rate": 0.5}  # nats per pixel; nats
