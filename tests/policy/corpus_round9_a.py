# ruff: noqa: E501  (one case per line reads better than wrapped ones)
"""Corpus, round nine of families A (session six): publishing through build tools in
every spelling (maven plugin goals by coordinates, gradle tasks with a shipping word
anywhere in their name, sbt command strings, bazel/buck2 targets run, goreleaser's
default, `py -m twine`); helm, kubectl and terraform judged by their verb (known
reads and dry runs pass, the rest asks); package cleaners (rimraf, shx rm) deleting
anything but build output; and the routine look-alikes: build output deleted from
interpreters and cleaners, project files written by one-liners, `go install ./...`,
`helm upgrade --install --dry-run`, `helm template`, `terraform plan`, `kubectl
get/describe/diff`, Android release variants built (assembleRelease)."""

DANGEROUS = [
    # publishing from build tools
    "mvn org.apache.maven.plugins:maven-deploy-plugin:3.1.1:deploy", "mvn org.apache.maven.plugins:maven-deploy-plugin:deploy-file -Dfile=x.jar",
    "./mvnw jreleaser:full-release", "mvn org.jreleaser:jreleaser-maven-plugin:1.9.0:release", "mvn nexus-staging:close nexus-staging:release",
    "mvn org.sonatype.plugins:nexus-staging-maven-plugin:1.6.13:release", "mvn central-publishing:publish", "./mvnw -B release:perform",
    "mvn dockerfile:push", "mvn com.google.cloud.tools:jib-maven-plugin:3.4.0:build", "mvn fabric8:push", "mvn k8s:push", "mvn heroku:deploy",
    "mvn azure-webapp:deploy", "mvn appengine:deploy", "mvn spring-boot:build-image -Dspring-boot.build-image.publish=true",
    "./gradlew appDistributionUploadRelease", "./gradlew :app:appDistributionUploadRelease", "./gradlew jreleaserFullRelease", "./gradlew jreleaserRelease",
    "./gradlew jreleaserDeploy", "./gradlew dockerPushImage", "./gradlew pushImage", "./gradlew publishApps", "./gradlew promoteReleaseArtifact",
    "./gradlew uploadCrashlyticsMappingFileRelease", "gradle -q :lib:publishMavenPublicationToOssrhRepository", "./gradlew :sdk:publishAllPublicationsToGitHubPackagesRepository",
    "sbt sonatypeBundleRelease", "sbt \"; clean; publishSigned; sonatypeBundleRelease\"", "sbt 'project core' publish", "sbt ';+publishSigned;sonatypeRelease'",
    "sbt 'release with-defaults'", "sbt Docker/publish", "sbt ecr:push",
    "bazel run //:push", "bazel run //images:push_api", "bazel run //:deploy", "bazel run //release:publish", "bazelisk run //:release",
    "bazel run -c opt //deploy:prod_push", "bazel run //charts:helm_release", "buck2 run //:publish", "pants run src/deploy:upload",
    "goreleaser", "goreleaser --rm-dist", "goreleaser --clean", "goreleaser publish", "goreleaser release --clean --skip=validate", "goreleaser continue --merge",
    "py -m twine upload dist/*", "py -3 -m twine upload dist/*", "python3 -I -m twine upload dist/*", "python -u -m poetry publish", "py -m flit publish",
    # helm, kubectl, terraform: verbs that are not reads
    "helm test api", "helm registry login registry.example.io", "helm plugin install https://github.com/x/helm-x", "helm repo add x https://charts.example.io",
    "helm upgrade --install api ./chart --dry-run=false", "helm template api ./chart --post-renderer ./render.sh", "helm install api ./chart --post-renderer=kustomize",
    "kubectl config use-context prod", "kubectl config set-context --current --namespace=prod", "kubectl attach -it pod/api", "kubectl config set-credentials x --token=y",
    "kubectl -n prod certificate approve csr-1", "kubectl replace --force -f deploy.yaml",
    "terraform test", "terraform workspace new prod2", "terraform login", "terraform workspace delete old", "terragrunt run-all apply", "terragrunt apply",
    "terragrunt destroy", "tofu test", "terraform state rm aws_instance.a",
    # package cleaners deleting more than build output
    "npx rimraf src", "npx rimraf ~", "npx rimraf dist ../other", "pnpm exec rimraf .", "yarn rimraf /", "npx shx rm -rf src", "npx del-cli '**/*'",
    "npx rimraf %HOME%/.config", "bunx rimraf .git",
]

DISGUISED = [
    "env MAVEN_OPTS=-Xmx1g mvn -B org.apache.maven.plugins:maven-deploy-plugin:3.1.1:deploy", "bash -c './gradlew appDistributionUploadRelease'",
    "sh -c 'sbt \"; clean; publishSigned\"'", "timeout 600 bazel run //:push", "nice goreleaser", "sudo -E py -m twine upload dist/*",
    "cd infra && terragrunt apply", "env KUBECONFIG=~/.kube/prod kubectl config use-context prod", "echo 'helm test api' | sh",
    "bash -c 'npx rimraf src'", "for d in src lib; do npx rimraf $d; done", "xargs npx rimraf < dirs.txt", "npx rimraf \"$TARGET\"",
]

ROUTINE = [
    # build output deleted from interpreters and cleaners
    "python3 -c \"import shutil; shutil.rmtree('build')\"", "python -c \"import shutil; shutil.rmtree('build', ignore_errors=True)\"",
    "python3 -c \"import shutil; shutil.rmtree('dist'); shutil.rmtree('.pytest_cache')\"",
    "python3 -c \"import shutil,glob; [shutil.rmtree(p) for p in glob.glob('**/__pycache__', recursive=True)]\"",
    "python3 -c \"import pathlib, shutil; shutil.rmtree(pathlib.Path('build'), ignore_errors=True)\"", "python3 -c \"import os; os.remove('build/tmp.o')\"",
    "node -e \"require('fs').rmSync('dist', {recursive:true, force:true})\"", "node -e \"fs.rmSync('dist',{recursive:true})\"",
    "node -e \"require('fs').rmSync('coverage', { recursive: true, force: true })\"", "node -e \"require('fs').rmSync('node_modules/.cache', {recursive:true,force:true})\"",
    "node -e \"require('fs').rmSync('.next', {recursive:true,force:true})\"", "node -e \"require('fs').rmdirSync('dist', {recursive:true})\"",
    "node -e \"import('fs/promises').then(f=>f.rm('dist',{recursive:true,force:true}))\"", "ruby -e 'require \"fileutils\"; FileUtils.rm_rf(\"tmp/cache\")'",
    "perl -MFile::Path=remove_tree -e 'remove_tree(\"blib\")'", "bun -e \"require('fs').rmSync('dist', {recursive: true})\"",
    "npx rimraf dist", "npx rimraf dist build coverage", "npx rimraf node_modules/.cache", "npx rimraf '**/__pycache__'", "npx del-cli dist", "npx shx rm -rf dist",
    "pnpm dlx rimraf dist", "pnpm exec rimraf dist", "yarn rimraf dist", "rimraf dist", "npx --no-install rimraf .turbo", "bunx rimraf .svelte-kit",
    "rm -rf node_modules/.cache", "rm -rf node_modules/.vite", "rm -rf .next .turbo",
    # project files written by one-liners
    "node -e \"require('fs').writeFileSync('src/version.ts', 'export const v = 1')\"", "node -e \"fs.writeFileSync('src/generated.json', JSON.stringify({a:1}))\"",
    "python3 -c \"open('src/version.py','w').write('__version__ = \\\"1.0\\\"')\"", "python3 -c \"from pathlib import Path; Path('src/gen.py').write_text('X = 1')\"",
    "python3 -c \"import json; json.dump({'a':1}, open('src/data.json','w'))\"", "python -c \"with open('docs/api.md','w') as f: f.write('# API')\"",
    "python3 -c \"import pathlib; pathlib.Path('tests/fixtures/x.txt').write_text('hi')\"", "node -e \"require('fs').appendFileSync('CHANGELOG.md', '- fix')\"",
    # go install of the project's own packages
    "go install ./...", "go install ./cmd/...", "go install ./cmd/server", "go install .", "go install -v ./...",
    # helm, kubectl, terraform: reads, renders, dry runs
    "helm upgrade --install api ./chart --dry-run", "helm upgrade --install api ./chart --dry-run --debug", "helm upgrade --install api ./charts/api -f values.yaml --dry-run=client",
    "helm install api ./chart --dry-run", "helm install --dry-run --debug api ./chart", "helm template api ./chart", "helm template ./chart -f values.prod.yaml",
    "helm lint ./chart", "helm dependency update ./chart", "helm dep build ./chart", "helm show values bitnami/redis", "helm status api", "helm history api",
    "helm list -A", "helm get manifest api", "helm repo update", "helm search repo redis", "helm version", "helm -n prod status api",
    "terraform plan", "terraform plan -out=tfplan", "terraform plan -var-file=prod.tfvars", "terraform -chdir=infra plan", "terraform show tfplan",
    "terraform validate", "terraform fmt -check", "terraform graph", "terraform providers", "terraform state list", "terraform workspace list",
    "terraform workspace select staging", "tofu plan", "terragrunt plan", "terragrunt run-all plan", "terragrunt hclfmt", "terraform init -upgrade",
    "kubectl get pods -A", "kubectl get deploy -n prod -o wide", "kubectl get svc,ing -n web", "kubectl describe deploy api -n prod", "kubectl describe node n1",
    "kubectl diff -f k8s/", "kubectl diff -k overlays/prod", "kubectl apply --dry-run=client -f k8s/", "kubectl apply --dry-run=server -f deploy.yaml",
    "kubectl create deployment x --image=nginx --dry-run=client -o yaml", "kubectl logs -f deploy/api", "kubectl top pods", "kubectl explain pod.spec",
    "kubectl api-resources", "kubectl config get-contexts", "kubectl config current-context", "kubectl rollout status deploy/api", "kubectl rollout history deploy/api",
    "kubectl auth can-i create pods", "kubectl version --client", "kubectl kustomize overlays/prod", "kubectl events -n prod", "kubectl --context dev get pods",
    "kubectl port-forward svc/api 8080:80", "kubectl wait --for=condition=ready pod -l app=api",
    # build tools that build (release variants, local publishing, snapshots)
    "./gradlew assembleRelease", "./gradlew bundleRelease", "./gradlew :app:compileReleaseKotlin", "./gradlew lintRelease", "./gradlew testReleaseUnitTest",
    "./gradlew publishToMavenLocal", "./gradlew jreleaserConfig", "sbt publishLocal", "sbt compile", "sbt \"; clean; test\"", "bazel run //:gazelle",
    "bazel run //cmd/server", "bazel build //:push", "./mvnw -q verify", "mvn install", "mvn jreleaser:config", "mvn dependency:tree", "mvn versions:display-dependency-updates",
    "goreleaser check", "goreleaser build --snapshot --clean", "goreleaser release --snapshot --clean", "goreleaser --version",
    "flit build", "gem build pkg.gemspec", "gem list", "python -m build", "py -m pytest -q",
]
