# Training: one job per run (experiment, sweep value, seed), then its latents for metrics and figures.


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
    log:
        "results/{scale}/logs/train/{experiment}/{run}.log",
    threads: 1
    conda:
        "../../envs/fieldvae.yaml"
    shell:
        "fieldvae train --data {input.data} --model {params.model:q} --training {params.training:q}"
        " --seed {params.seed} --threads {threads} --out-dir {params.out_dir} > {log} 2>&1"


rule encode:
    input:
        model="results/{scale}/runs/{experiment}/{run}/model.pt",
        data=experiment_data,
    output:
        "results/{scale}/runs/{experiment}/{run}/latents.npz",
    log:
        "results/{scale}/logs/encode/{experiment}/{run}.log",
    conda:
        "../../envs/fieldvae.yaml"
    shell:
        "fieldvae encode --model {input.model} --data {input.data} --out {output} > {log} 2>&1"


rule runs:
    input:
        run_outputs(SCALE, "latents.npz"),
