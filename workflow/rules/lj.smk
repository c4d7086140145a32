# The Lennard-Jones study (SPEC F): Monte Carlo samples, the distance-matrix VAE, anomaly scores,
# the anomaly table (its figures, lj_*, are in the figure registry). Input functions are in common.smk.


rule lj_sample:
    output:
        "results/{scale}/lj/samples/{protocol}_gamma{gamma}.npz",
    params:
        samples=lj_sample_size,
        sweeps=lj_sweeps,
        seed=LJ["seed"],  # the sampler derives each set's stream from the seed, gamma and protocol
        code=code("lj", "_sample"),
    log:
        "results/{scale}/logs/lj/sample_{protocol}_gamma{gamma}.log",
    threads: 2
    shell:
        "NUMBA_NUM_THREADS={threads} fieldvae lj sample --gamma {wildcards.gamma} --protocol {wildcards.protocol}"
        " {params.sweeps} --samples {params.samples} --seed {params.seed} --out {output} > {log} 2>&1"


rule lj_fake:
    output:
        "results/{scale}/lj/samples/fake.npz",
    params:
        samples=lambda w: preset(w)["lj"]["anomaly_samples"],
        sweeps=lambda w: lj_sweeps(w, LJ["fake"]["sweeps"]),
        gamma=LJ["fake"]["gamma"],
        seed=LJ["seed"],
        code=code("lj", "_sample"),
    log:
        "results/{scale}/logs/lj/sample_fake.log",
    threads: 2
    shell:
        "NUMBA_NUM_THREADS={threads} fieldvae lj sample --gamma {params.gamma} --potential fake --protocol group"
        " {params.sweeps} --samples {params.samples} --seed {params.seed} --out {output} > {log} 2>&1"


rule lj_uniform:
    output:
        "results/{scale}/lj/samples/uniform.npz",
    params:
        samples=lambda w: preset(w)["lj"]["anomaly_samples"],
        seed=LJ["seed"],
        code=code("lj", "_uniform"),
    log:
        "results/{scale}/logs/lj/sample_uniform.log",
    shell:
        "fieldvae lj uniform --samples {params.samples} --seed {params.seed} --out {output} > {log} 2>&1"


rule lj_train:
    input:
        lj_training_files,
    output:
        model="results/{scale}/lj/{protocol}/model/model.pt",
        history="results/{scale}/lj/{protocol}/model/history.csv",
    params:
        model=lambda w: json.dumps({"channels": preset(w)["lj"]["channels"], "n_latent": LJ["n_latent"]}),
        training=lambda w: json.dumps(
            {**LJ["training"], "epochs": preset(w)["lj"]["epochs"], "compile": preset(w).get("compile", False)}
        ),
        compile_cache=COMPILE_CACHE,
        seed=LJ["seed"],
        out_dir=lambda w, output: str(Path(output.model).parent),
        code=code("lj", "_train"),
    log:
        "results/{scale}/logs/lj/{protocol}/train.log",
    # one thread, as the train rule's: a reduction split over two threads gave another group model in
    # about one tiny build of four (a seed must fix the result)
    threads: 1
    resources:
        training_slots=1,  # as the train rule's
    shell:
        "fieldvae lj train --data {input} --model {params.model:q} --training {params.training:q}"
        " --seed {params.seed} --threads {threads} --compile-cache {params.compile_cache}"
        " --out-dir {params.out_dir} > {log} 2>&1"


rule lj_encode:
    input:
        model="results/{scale}/lj/{protocol}/model/model.pt",
        data=lj_training_files,
    output:
        "results/{scale}/lj/{protocol}/latents.npz",
    params:
        code=code("lj", "_encode"),
    log:
        "results/{scale}/logs/lj/{protocol}/encode.log",
    shell:
        "fieldvae lj encode --model {input.model} --data {input.data} --out {output} > {log} 2>&1"


rule lj_score:
    input:
        model="results/{scale}/lj/{protocol}/model/model.pt",
        data=lj_training_files,
        anomalies=lambda w: list(lj_anomaly_files(w).values()),
    output:
        "results/{scale}/lj/{protocol}/scores.npz",
    params:
        anomalies=lambda w: " ".join(f"{name!r}={path}" for name, path in lj_anomaly_files(w).items()),
        displacements=" ".join(map(str, LJ["displacements"])),
        block=LJ["blackout_block"],
        seed=LJ["seed"],
        code=code("lj", "_score"),
    log:
        "results/{scale}/logs/lj/{protocol}/score.log",
    shell:
        "fieldvae lj score --model {input.model} --data {input.data} --anomaly {params.anomalies}"
        " --displacements {params.displacements} --block {params.block} --seed {params.seed}"
        " --out {output} > {log} 2>&1"


rule lj_table:
    input:
        scores=lambda w: list(lj_protocol_files(w.scale, "scores.npz").values()),
        latents=lambda w: list(lj_protocol_files(w.scale, "latents.npz").values()),
    output:
        csv=report(
            "tables/{scale}/lj_anomaly.csv",
            caption="../report/lj_anomaly.rst",
            category="Tables",
            subcategory="{scale} scale",
        ),
        md="tables/{scale}/lj_anomaly.md",
        claims="tables/{scale}/lj_claims.csv",
    params:
        scores=lambda w: " ".join(f"{p}={f}" for p, f in lj_protocol_files(w.scale, "scores.npz").items()),
        latents=lambda w: " ".join(f"{p}={f}" for p, f in lj_protocol_files(w.scale, "latents.npz").items()),
        seed=LJ["seed"],
        code=code("lj", "_table"),
    log:
        "results/{scale}/logs/lj/table.log",
    localrule: True
    shell:
        "fieldvae lj table --scores {params.scores} --latents {params.latents} --seed {params.seed}"
        " --csv {output.csv} --claims-csv {output.claims} --md {output.md} > {log} 2>&1"
