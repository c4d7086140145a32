# Training: one job per run (experiment, sweep value, seed); its latents; its scores; a table per experiment.


rule train:
    input:
        data=experiment_data,
    output:
        model="results/{scale}/runs/{experiment}/{run}/model.pt",
        history="results/{scale}/runs/{experiment}/{run}/history.csv",
    params:
        model=model_settings,
        training=training_settings,
        seed=run_seed,
        out_dir=lambda w, output: str(Path(output.model).parent),
        compile_cache=COMPILE_CACHE,
        code=train_code,
    log:
        "results/{scale}/logs/train/{experiment}/{run}.log",
    benchmark:
        "results/{scale}/benchmarks/train/{experiment}/{run}.tsv"
    threads: 1
    resources:
        training_slots=1,  # --resources training_slots=K: at most K trainings at once (K sharing one GPU)
    shell:
        "fieldvae train --data {input.data} --model {params.model:q} --training {params.training:q}"
        " --seed {params.seed} --threads {threads} --compile-cache {params.compile_cache}"
        " --out-dir {params.out_dir} > {log} 2>&1"


rule encode:
    input:
        model="results/{scale}/runs/{experiment}/{run}/model.pt",
        data=experiment_data,
    output:
        "results/{scale}/runs/{experiment}/{run}/latents.npz",
    params:
        code=model_code("_encode"),
    log:
        "results/{scale}/logs/encode/{experiment}/{run}.log",
    shell:
        "fieldvae encode --model {input.model} --data {input.data} --out {output} > {log} 2>&1"


rule metrics:
    input:
        latents="results/{scale}/runs/{experiment}/{run}/latents.npz",
        history="results/{scale}/runs/{experiment}/{run}/history.csv",
    output:
        "results/{scale}/runs/{experiment}/{run}/metrics.json",
    params:
        seed=run_seed,
        theta=theta_option,
        code=code("vae", "_metrics"),
    log:
        "results/{scale}/logs/metrics/{experiment}/{run}.log",
    shell:
        "fieldvae metrics --latents {input.latents} --history {input.history} --seed {params.seed}"
        " {params.theta} --out {output} > {log} 2>&1"


rule metrics_table:
    input:
        lambda w: expand(
            "results/{{scale}}/runs/{{experiment}}/{run}/metrics.json",
            run=run_ids(w.scale, w.experiment),
        ),
    output:
        "results/{scale}/tables/{experiment}.csv",
    params:
        code=code("paper", "_table"),
    log:
        "results/{scale}/logs/tables/{experiment}.log",
    localrule: True
    shell:
        "fieldvae table --metrics {input} --out {output} > {log} 2>&1"


rule runs:
    input:
        expand("results/{scale}/tables/{experiment}.csv", scale=SCALE, experiment=config["experiments"]),
