"""Figures of the Lennard-Jones study (targets figures/lj_*.pdf): one module per figure, each with
`from_files` and `CAPTION`, drawn by `fieldvae figure NAME` like the paper's (figure_command.py)."""
