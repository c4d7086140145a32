# Loss landscapes (figures 3 and 5) of any trained run, from its saved model.


rule landscape_lines:
    input:
        model="results/{scale}/runs/{experiment}/{run}/model.pt",
        history="results/{scale}/runs/{experiment}/{run}/history.csv",
        data=experiment_data,
    output:
        "results/{scale}/landscape/{experiment}/{run}/lines.csv",
    params:
        options=landscape_options,
        inits=lambda w: config["scales"][w.scale]["landscape"]["init_lines"],
        code=model_code("_landscape_lines", "standard"),
    log:
        "results/{scale}/logs/landscape/{experiment}/{run}_lines.log",
    shell:
        "fieldvae landscape lines --model {input.model} --history {input.history} --data {input.data}"
        " {params.options} --inits {params.inits} --out {output} > {log} 2>&1"


rule landscape_directions:
    input:
        model="results/{scale}/runs/{experiment}/{run}/model.pt",
        history="results/{scale}/runs/{experiment}/{run}/history.csv",
        data=experiment_data,
    output:
        "results/{scale}/landscape/{experiment}/{run}/directions_{first}.csv",
    params:
        options=landscape_options,
        directions=lambda w: min(
            config["scales"][w.scale]["landscape"]["chunk"],
            config["scales"][w.scale]["landscape"]["directions"] - int(w.first),
        ),
        code=model_code("_landscape_directions", "standard"),
    log:
        "results/{scale}/logs/landscape/{experiment}/{run}_directions_{first}.log",
    shell:
        "fieldvae landscape directions --model {input.model} --history {input.history} --data {input.data}"
        " {params.options} --first {wildcards.first} --count {params.directions} --out {output} > {log} 2>&1"


rule landscape_between:
    input:
        model=lambda w: f"{run_dirs(w.scale, 'standard')[0]}/model.pt",
        other=lambda w: f"{run_dirs(w.scale, 'standard')[1]}/model.pt",
        history=lambda w: f"{run_dirs(w.scale, 'standard')[0]}/history.csv",
        data=lambda w: f"results/{w.scale}/data/{config['experiments']['standard']['dataset']}.npz",
    output:
        "results/{scale}/landscape/standard/between.csv",
    params:
        options=landscape_options,
        code=model_code("_landscape_between", "standard"),
    log:
        "results/{scale}/logs/landscape/standard/between.log",
    shell:
        "fieldvae landscape between --model {input.model} --other {input.other} --history {input.history}"
        " --data {input.data} {params.options} --out {output} > {log} 2>&1"
