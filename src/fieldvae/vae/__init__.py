"""The variational autoencoder any field dataset runs on: the DenseVAE and its priors, the losses, the
training method, encoding, scoring, the rotation study and the loss landscape."""
