provider "zerotrust" {
  aws {
    region = "us-east-1"
  }

  # Only needed when segments carry a kubernetes block.
  kubernetes {
    config_path = "~/.kube/config"
  }
}
