"""The paper's questions: the run plan, the claims and their verdicts, the summary tables, the protocol
study, the rule calibration, the results page and the paper's figures."""
