"""configMapGenerator / secretGenerator against kubectl: names, hashes, data encoding."""


def test_configmap_literals_files_envs(oracle):
    oracle.assert_same({
        "kustomization.yaml": """\
            configMapGenerator:
            - name: app
              literals:
              - A=1
              - QUOTED="two words"
              - "EQ=a=b"
              files:
              - config.properties
              - renamed.txt=other.txt
              envs:
              - app.env
            """,
        "config.properties": "x=1\ny=2\n",
        "other.txt": "hello <world> & more\n",
        "app.env": "# comment\n\nFOO=bar\n  SPACED=  value with spaces \nQUOTES=\"kept\"\n"
                   "EMPTY=\nBARE\nURL=http://x/?a=b\n",
    })


def test_generator_keys_are_not_validated_as_kustomize_does_not(oracle):
    # kustomize skips an env-file line without a key and accepts any other key (its key
    # validators are no-ops), even one the API server would refuse
    oracle.assert_same({
        "kustomization.yaml": "configMapGenerator:\n- name: e\n  envs:\n  - a.env\n"
                              "  literals:\n  - 'with space=3'\n",
        "a.env": "=dropped\n1starts.with-digit=1\na.b-c=2\nhas space=4\n",
    })


def test_configmap_binary_data(oracle):
    oracle.assert_same({
        "kustomization.yaml": "configMapGenerator:\n- name: bin\n  files:\n  - blob.bin\n",
        "blob.bin": bytes(range(256)) * 2,
    })


def test_secret_types_options_and_immutable(oracle):
    oracle.assert_same({
        "kustomization.yaml": """\
            generatorOptions:
              labels:
                team: a
              annotations:
                note: generated
            secretGenerator:
            - name: tls
              type: kubernetes.io/tls
              files:
              - tls.crt
              - tls.key
              options:
                immutable: true
                labels:
                  team: b
            - name: plain
              literals:
              - password=s3cr3t
              - long=""" + "x" * 120 + """
            """,
        "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "tls.key": "-----BEGIN KEY-----\nabc\n-----END KEY-----\n",
    })


def test_disable_name_suffix_hash_and_name_references(oracle):
    oracle.assert_same({
        "kustomization.yaml": """\
            namePrefix: p-
            resources:
            - pod.yaml
            configMapGenerator:
            - name: hashed
              literals: [a=b]
            - name: plain
              literals: [c=d]
              options:
                disableNameSuffixHash: true
            """,
        "pod.yaml": """\
            apiVersion: v1
            kind: Pod
            metadata:
              name: pod
            spec:
              containers:
              - name: c
                image: busybox
                envFrom:
                - configMapRef:
                    name: hashed
                - configMapRef:
                    name: plain
            """,
    })


def test_merge_and_replace_behaviors(oracle):
    oracle.assert_same({
        "base/kustomization.yaml": "configMapGenerator:\n- name: m\n  literals: [a=1, b=2]\n"
                                   "- name: r\n  literals: [x=1]\n",
        "overlay/kustomization.yaml": "resources:\n- ../base\nconfigMapGenerator:\n"
                                      "- name: m\n  behavior: merge\n  literals: [b=3, c=4]\n"
                                      "- name: r\n  behavior: replace\n  literals: [y=2]\n",
    }, build_dir="overlay")


def test_repeated_key_is_an_error(oracle):
    oracle.assert_both_fail({
        "kustomization.yaml": "configMapGenerator:\n- name: m\n  literals: [a=1, a=2]\n",
    }, contains="illegally repeats the key")
