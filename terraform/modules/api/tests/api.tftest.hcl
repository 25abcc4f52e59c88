# Plans the HTTP API with a mock AWS provider: generated routes, Lambda proxy
# integration (payload 2.0), stage throttling and access logs, JWT option.

mock_provider "aws" {}

variables {
  name                 = "test-dev"
  lambda_function_name = "test-api"
  lambda_invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:test-api/invocations"
  routes = [
    "DELETE /products/{id}",
    "GET /products",
    "GET /products/{id}",
    "POST /products",
    "PUT /products/{id}",
  ]
  throttling_burst_limit = 50
  throttling_rate_limit  = 20
}

run "routes_and_integration" {
  command = plan

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "HTTP"
    error_message = "An HTTP API."
  }

  assert {
    condition     = toset(keys(aws_apigatewayv2_route.this)) == toset(var.routes) && alltrue([for k, r in aws_apigatewayv2_route.this : r.route_key == k])
    error_message = "One route per generated route key."
  }

  assert {
    condition     = aws_apigatewayv2_integration.lambda.integration_type == "AWS_PROXY" && aws_apigatewayv2_integration.lambda.payload_format_version == "2.0"
    error_message = "Lambda proxy integration, payload format 2.0."
  }

  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.this : r.authorization_type == "NONE"]) && length(aws_apigatewayv2_authorizer.jwt) == 0
    error_message = "Open routes without an authorizer."
  }

  assert {
    condition     = one(aws_apigatewayv2_stage.this.default_route_settings).throttling_burst_limit == 50 && one(aws_apigatewayv2_stage.this.default_route_settings).throttling_rate_limit == 20
    error_message = "Stage throttling from the variables."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.name == "$default" && aws_apigatewayv2_stage.this.auto_deploy
    error_message = "Auto-deployed $default stage."
  }

  assert {
    condition     = jsondecode(one(aws_apigatewayv2_stage.this.access_log_settings).format).routeKey == "$context.routeKey" && aws_cloudwatch_log_group.access.name == "/aws/apigateway/test-dev"
    error_message = "JSON access logs into /aws/apigateway/<name>."
  }

  assert {
    condition     = aws_lambda_permission.api.principal == "apigateway.amazonaws.com" && aws_lambda_permission.api.function_name == "test-api"
    error_message = "API Gateway may invoke the function."
  }
}

run "jwt_authorizer" {
  command = plan

  variables {
    jwt_authorizer = {
      issuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"
      audience = ["client-id"]
    }
  }

  assert {
    condition     = length(aws_apigatewayv2_authorizer.jwt) == 1 && aws_apigatewayv2_authorizer.jwt[0].authorizer_type == "JWT"
    error_message = "A JWT authorizer."
  }

  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.this : r.authorization_type == "JWT"])
    error_message = "Every route requires the JWT."
  }
}

run "rejects_duplicate_route" {
  command = plan

  variables {
    routes = ["GET /products", "GET /products"]
  }

  expect_failures = [var.routes]
}

run "rejects_malformed_route" {
  command = plan

  variables {
    routes = ["FETCH products"]
  }

  expect_failures = [var.routes]
}
